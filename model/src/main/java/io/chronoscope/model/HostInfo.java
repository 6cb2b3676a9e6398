package io.chronoscope.model;

import java.util.List;

/** What a probe knows about the machine it runs on. */
public record HostInfo(
    String hostname,
    String kernel,
    String os,
    List<String> addresses,
    int cpus,
    long memoryTotalBytes,
    double load1) {

  public HostInfo {
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
  }
}
