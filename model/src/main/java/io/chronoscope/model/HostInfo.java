package io.chronoscope.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What a probe knows about the machine it runs on. Boxed fields are null when unknown. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HostInfo(
    String hostname,
    String kernel,
    String os,
    List<String> addresses,
    int cpus,
    long memoryTotalBytes,
    double load1,
    List<NetInterface> interfaces,
    Long memoryAvailableBytes,
    Double cpuPercent,
    Double load5,
    Double load15,
    Long bootTime) {

  public HostInfo {
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
  }

  public HostInfo(String hostname, String kernel, String os, List<String> addresses, int cpus,
      long memoryTotalBytes, double load1) {
    this(hostname, kernel, os, addresses, cpus, memoryTotalBytes, load1, null, null, null, null, null, null);
  }

  /** A network interface and its addresses. */
  public record NetInterface(String name, String mac, List<String> addresses, boolean up) {
    public NetInterface {
      addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }
  }
}
