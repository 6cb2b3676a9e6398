package io.chronoscope.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One conntrack entry: the tuple the client sent ({@code original}) and the tuple the server
 * answers from ({@code reply}). When they differ the flow was NATed: a client that connected to
 * {@code original.dst} really talks to {@code reply.src} (Docker {@code -p}, Kubernetes ClusterIP).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NatFlow(String protocol, Tuple original, Tuple reply, String state, Long netNamespace) {

  /** Source and destination of one direction of a flow. */
  public record Tuple(String srcAddress, int srcPort, String dstAddress, int dstPort) {}

  /** True when the server the client addressed is not the one that answers. */
  public boolean isDestinationNat() {
    return !(original.dstAddress().equals(reply.srcAddress()) && original.dstPort() == reply.srcPort());
  }
}
