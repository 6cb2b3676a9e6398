package io.chronoscope.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.chronoscope.model.Connection;
import io.chronoscope.model.ContainerInfo;
import io.chronoscope.model.HostInfo;
import io.chronoscope.model.NatFlow;
import io.chronoscope.model.ProcessInfo;
import io.chronoscope.model.Report;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a report straight off Jackson's token stream: about twice as fast as data binding into
 * the records, which is most of what a collector core spends per report. It only takes JSON in
 * the shape the probe writes; for anything else (a string where a number belongs, a float for an
 * int, a null in a list, a duplicate field, an unreadable body) it gives up with
 * {@link NotCanonical}, and {@link ReportDecoder} lets data binding decide, so a report is taken
 * or refused, and refused with the same message, exactly as data binding alone would.
 */
final class ReportJsonReader {
  /** The same limits as the shared mapper's; exact double parsing, only faster. */
  private static final JsonFactory FACTORY = new JsonFactoryBuilder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();

  private ReportJsonReader() {}

  /** The JSON is not in the probe's canonical shape: data binding must decide. */
  static final class NotCanonical extends Exception {
    static final NotCanonical INSTANCE = new NotCanonical();

    private NotCanonical() {
      super(null, null, false, false);
    }
  }

  static Report read(byte[] json) throws NotCanonical {
    return read(FACTORY, json);
  }

  /** The same walk over any of Jackson's token streams: JSON, or Smile as probes send it. */
  static Report read(JsonFactory factory, byte[] bytes) throws NotCanonical {
    try (JsonParser p = factory.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw NotCanonical.INSTANCE;
      }
      return report(p);
    } catch (IOException | RuntimeException e) {
      throw NotCanonical.INSTANCE;
    }
  }

  private static Report report(JsonParser p) throws IOException, NotCanonical {
    String hostId = null;
    String probeId = null;
    long seq = 0;
    long timestamp = 0;
    long intervalMs = 0;
    HostInfo host = null;
    List<ProcessInfo> processes = null;
    List<Connection> connections = null;
    List<ContainerInfo> containers = null;
    List<NatFlow> nat = null;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken t = p.nextToken();
      switch (field) {
        case "hostId" -> { seen = once(seen, 0); hostId = string(p, t); }
        case "probeId" -> { seen = once(seen, 1); probeId = string(p, t); }
        case "seq" -> { seen = once(seen, 2); seq = longValue(p, t); }
        case "timestamp" -> { seen = once(seen, 3); timestamp = longValue(p, t); }
        case "intervalMs" -> { seen = once(seen, 4); intervalMs = longValue(p, t); }
        case "host" -> { seen = once(seen, 5); host = t == JsonToken.VALUE_NULL ? null : hostInfo(p, t); }
        case "processes" -> {
          seen = once(seen, 6);
          if (t != JsonToken.VALUE_NULL) {
            processes = new ArrayList<>();
            for (JsonToken e = start(p, t); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              processes.add(process(p, e));
            }
          }
        }
        case "connections" -> {
          seen = once(seen, 7);
          if (t != JsonToken.VALUE_NULL) {
            connections = new ArrayList<>();
            for (JsonToken e = start(p, t); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              connections.add(connection(p, e));
            }
          }
        }
        case "containers" -> {
          seen = once(seen, 8);
          if (t != JsonToken.VALUE_NULL) {
            containers = new ArrayList<>();
            for (JsonToken e = start(p, t); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              containers.add(container(p, e));
            }
          }
        }
        case "nat" -> {
          seen = once(seen, 9);
          if (t != JsonToken.VALUE_NULL) {
            nat = new ArrayList<>();
            for (JsonToken e = start(p, t); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              nat.add(natFlow(p, e));
            }
          }
        }
        default -> p.skipChildren();
      }
    }
    return new Report(hostId, probeId, seq, timestamp, intervalMs, host, processes, connections,
        containers, nat);
  }

  private static HostInfo hostInfo(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String hostname = null;
    String kernel = null;
    String os = null;
    List<String> addresses = null;
    int cpus = 0;
    long memoryTotalBytes = 0;
    double load1 = 0;
    List<HostInfo.NetInterface> interfaces = null;
    Long memoryAvailableBytes = null;
    Double cpuPercent = null;
    Double load5 = null;
    Double load15 = null;
    Long bootTime = null;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "hostname" -> { seen = once(seen, 0); hostname = string(p, v); }
        case "kernel" -> { seen = once(seen, 1); kernel = string(p, v); }
        case "os" -> { seen = once(seen, 2); os = string(p, v); }
        case "addresses" -> { seen = once(seen, 3); addresses = strings(p, v); }
        case "cpus" -> { seen = once(seen, 4); cpus = intValue(p, v); }
        case "memoryTotalBytes" -> { seen = once(seen, 5); memoryTotalBytes = longValue(p, v); }
        case "load1" -> { seen = once(seen, 6); load1 = doubleValue(p, v); }
        case "interfaces" -> {
          seen = once(seen, 7);
          if (v != JsonToken.VALUE_NULL) {
            interfaces = new ArrayList<>();
            for (JsonToken e = start(p, v); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              interfaces.add(netInterface(p, e));
            }
          }
        }
        case "memoryAvailableBytes" -> { seen = once(seen, 8); memoryAvailableBytes = boxedLong(p, v); }
        case "cpuPercent" -> { seen = once(seen, 9); cpuPercent = boxedDouble(p, v); }
        case "load5" -> { seen = once(seen, 10); load5 = boxedDouble(p, v); }
        case "load15" -> { seen = once(seen, 11); load15 = boxedDouble(p, v); }
        case "bootTime" -> { seen = once(seen, 12); bootTime = boxedLong(p, v); }
        default -> p.skipChildren();
      }
    }
    return new HostInfo(hostname, kernel, os, addresses, cpus, memoryTotalBytes, load1, interfaces,
        memoryAvailableBytes, cpuPercent, load5, load15, bootTime);
  }

  private static HostInfo.NetInterface netInterface(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String name = null;
    String mac = null;
    List<String> addresses = null;
    boolean up = false;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "name" -> { seen = once(seen, 0); name = string(p, v); }
        case "mac" -> { seen = once(seen, 1); mac = string(p, v); }
        case "addresses" -> { seen = once(seen, 2); addresses = strings(p, v); }
        case "up" -> { seen = once(seen, 3); up = booleanValue(v); }
        default -> p.skipChildren();
      }
    }
    return new HostInfo.NetInterface(name, mac, addresses, up);
  }

  private static ProcessInfo process(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    int pid = 0;
    int ppid = 0;
    long startTime = 0;
    long startedAt = 0;
    String comm = null;
    String cmdline = null;
    String user = null;
    double cpuPercent = 0;
    long rssBytes = 0;
    Integer threads = null;
    Integer openFds = null;
    String cgroup = null;
    Long netNamespace = null;
    String containerId = null;
    Long exitedAt = null;
    Integer exitCode = null;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "pid" -> { seen = once(seen, 0); pid = intValue(p, v); }
        case "ppid" -> { seen = once(seen, 1); ppid = intValue(p, v); }
        case "startTime" -> { seen = once(seen, 2); startTime = longValue(p, v); }
        case "startedAt" -> { seen = once(seen, 3); startedAt = longValue(p, v); }
        case "comm" -> { seen = once(seen, 4); comm = string(p, v); }
        case "cmdline" -> { seen = once(seen, 5); cmdline = string(p, v); }
        case "user" -> { seen = once(seen, 6); user = string(p, v); }
        case "cpuPercent" -> { seen = once(seen, 7); cpuPercent = doubleValue(p, v); }
        case "rssBytes" -> { seen = once(seen, 8); rssBytes = longValue(p, v); }
        case "threads" -> { seen = once(seen, 9); threads = boxedInt(p, v); }
        case "openFds" -> { seen = once(seen, 10); openFds = boxedInt(p, v); }
        case "cgroup" -> { seen = once(seen, 11); cgroup = string(p, v); }
        case "netNamespace" -> { seen = once(seen, 12); netNamespace = boxedLong(p, v); }
        case "containerId" -> { seen = once(seen, 13); containerId = string(p, v); }
        case "exitedAt" -> { seen = once(seen, 14); exitedAt = boxedLong(p, v); }
        case "exitCode" -> { seen = once(seen, 15); exitCode = boxedInt(p, v); }
        default -> p.skipChildren();
      }
    }
    return new ProcessInfo(pid, ppid, startTime, startedAt, comm, cmdline, user, cpuPercent,
        rssBytes, threads, openFds, cgroup, netNamespace, containerId, exitedAt, exitCode);
  }

  private static Connection connection(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String protocol = null;
    String localAddress = null;
    int localPort = 0;
    String remoteAddress = null;
    int remotePort = 0;
    String state = null;
    Integer pid = null;
    long inode = 0;
    String source = null;
    Long netNamespace = null;
    Long bytesSent = null;
    Long bytesReceived = null;
    Long rttMicros = null;
    Long retransmits = null;
    Long openedAt = null;
    Long closedAt = null;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "protocol" -> { seen = once(seen, 0); protocol = string(p, v); }
        case "localAddress" -> { seen = once(seen, 1); localAddress = string(p, v); }
        case "localPort" -> { seen = once(seen, 2); localPort = intValue(p, v); }
        case "remoteAddress" -> { seen = once(seen, 3); remoteAddress = string(p, v); }
        case "remotePort" -> { seen = once(seen, 4); remotePort = intValue(p, v); }
        case "state" -> { seen = once(seen, 5); state = string(p, v); }
        case "pid" -> { seen = once(seen, 6); pid = boxedInt(p, v); }
        case "inode" -> { seen = once(seen, 7); inode = longValue(p, v); }
        case "source" -> { seen = once(seen, 8); source = string(p, v); }
        case "netNamespace" -> { seen = once(seen, 9); netNamespace = boxedLong(p, v); }
        case "bytesSent" -> { seen = once(seen, 10); bytesSent = boxedLong(p, v); }
        case "bytesReceived" -> { seen = once(seen, 11); bytesReceived = boxedLong(p, v); }
        case "rttMicros" -> { seen = once(seen, 12); rttMicros = boxedLong(p, v); }
        case "retransmits" -> { seen = once(seen, 13); retransmits = boxedLong(p, v); }
        case "openedAt" -> { seen = once(seen, 14); openedAt = boxedLong(p, v); }
        case "closedAt" -> { seen = once(seen, 15); closedAt = boxedLong(p, v); }
        default -> p.skipChildren();
      }
    }
    return new Connection(protocol, localAddress, localPort, remoteAddress, remotePort, state, pid,
        inode, source, netNamespace, bytesSent, bytesReceived, rttMicros, retransmits, openedAt,
        closedAt);
  }

  private static ContainerInfo container(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String id = null;
    String runtime = null;
    String name = null;
    String image = null;
    Map<String, String> labels = null;
    String state = null;
    Integer pid = null;
    List<String> ips = null;
    List<ContainerInfo.PortMapping> ports = null;
    String podUid = null;
    String podName = null;
    String podNamespace = null;
    Double cpuPercent = null;
    Long memoryBytes = null;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "id" -> { seen = once(seen, 0); id = string(p, v); }
        case "runtime" -> { seen = once(seen, 1); runtime = string(p, v); }
        case "name" -> { seen = once(seen, 2); name = string(p, v); }
        case "image" -> { seen = once(seen, 3); image = string(p, v); }
        case "labels" -> { seen = once(seen, 4); labels = labels(p, v); }
        case "state" -> { seen = once(seen, 5); state = string(p, v); }
        case "pid" -> { seen = once(seen, 6); pid = boxedInt(p, v); }
        case "ips" -> { seen = once(seen, 7); ips = strings(p, v); }
        case "ports" -> {
          seen = once(seen, 8);
          if (v != JsonToken.VALUE_NULL) {
            ports = new ArrayList<>();
            for (JsonToken e = start(p, v); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              ports.add(portMapping(p, e));
            }
          }
        }
        case "podUid" -> { seen = once(seen, 9); podUid = string(p, v); }
        case "podName" -> { seen = once(seen, 10); podName = string(p, v); }
        case "podNamespace" -> { seen = once(seen, 11); podNamespace = string(p, v); }
        case "cpuPercent" -> { seen = once(seen, 12); cpuPercent = boxedDouble(p, v); }
        case "memoryBytes" -> { seen = once(seen, 13); memoryBytes = boxedLong(p, v); }
        default -> p.skipChildren();
      }
    }
    return new ContainerInfo(id, runtime, name, image, labels, state, pid, ips, ports, podUid,
        podName, podNamespace, cpuPercent, memoryBytes);
  }

  private static ContainerInfo.PortMapping portMapping(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String protocol = null;
    String hostIp = null;
    int hostPort = 0;
    int containerPort = 0;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "protocol" -> { seen = once(seen, 0); protocol = string(p, v); }
        case "hostIp" -> { seen = once(seen, 1); hostIp = string(p, v); }
        case "hostPort" -> { seen = once(seen, 2); hostPort = intValue(p, v); }
        case "containerPort" -> { seen = once(seen, 3); containerPort = intValue(p, v); }
        default -> p.skipChildren();
      }
    }
    return new ContainerInfo.PortMapping(protocol, hostIp, hostPort, containerPort);
  }

  private static NatFlow natFlow(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String protocol = null;
    NatFlow.Tuple original = null;
    NatFlow.Tuple reply = null;
    String state = null;
    Long netNamespace = null;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "protocol" -> { seen = once(seen, 0); protocol = string(p, v); }
        case "original" -> { seen = once(seen, 1); original = v == JsonToken.VALUE_NULL ? null : tuple(p, v); }
        case "reply" -> { seen = once(seen, 2); reply = v == JsonToken.VALUE_NULL ? null : tuple(p, v); }
        case "state" -> { seen = once(seen, 3); state = string(p, v); }
        case "netNamespace" -> { seen = once(seen, 4); netNamespace = boxedLong(p, v); }
        default -> p.skipChildren();
      }
    }
    return new NatFlow(protocol, original, reply, state, netNamespace);
  }

  private static NatFlow.Tuple tuple(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    expectObject(t);
    String srcAddress = null;
    int srcPort = 0;
    String dstAddress = null;
    int dstPort = 0;
    int seen = 0;
    for (String field; (field = p.nextFieldName()) != null; ) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "srcAddress" -> { seen = once(seen, 0); srcAddress = string(p, v); }
        case "srcPort" -> { seen = once(seen, 1); srcPort = intValue(p, v); }
        case "dstAddress" -> { seen = once(seen, 2); dstAddress = string(p, v); }
        case "dstPort" -> { seen = once(seen, 3); dstPort = intValue(p, v); }
        default -> p.skipChildren();
      }
    }
    return new NatFlow.Tuple(srcAddress, srcPort, dstAddress, dstPort);
  }

  /** Data binding lets the last of two equal field names win; rare enough to leave to it. */
  private static int once(int seen, int bit) throws NotCanonical {
    int mask = 1 << bit;
    if ((seen & mask) != 0) {
      throw NotCanonical.INSTANCE;
    }
    return seen | mask;
  }

  private static void expectObject(JsonToken t) throws NotCanonical {
    if (t != JsonToken.START_OBJECT) {
      throw NotCanonical.INSTANCE;
    }
  }

  /** The first element's token of an array of non-null elements. */
  private static JsonToken start(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t != JsonToken.START_ARRAY) {
      throw NotCanonical.INSTANCE;
    }
    return p.nextToken();
  }

  private static String string(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    throw NotCanonical.INSTANCE;
  }

  private static List<String> strings(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    List<String> list = new ArrayList<>(4);
    for (JsonToken e = start(p, t); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e != JsonToken.VALUE_STRING) {
        throw NotCanonical.INSTANCE;
      }
      list.add(p.getText());
    }
    return list;
  }

  private static Map<String, String> labels(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    expectObject(t);
    Map<String, String> labels = new HashMap<>();
    for (String key; (key = p.nextFieldName()) != null; ) {
      if (p.nextToken() != JsonToken.VALUE_STRING || labels.put(key, p.getText()) != null) {
        throw NotCanonical.INSTANCE;
      }
    }
    return labels;
  }

  private static int intValue(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw NotCanonical.INSTANCE;
    }
    return p.getIntValue();
  }

  private static Integer boxedInt(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    return t == JsonToken.VALUE_NULL ? null : intValue(p, t);
  }

  private static long longValue(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw NotCanonical.INSTANCE;
    }
    return p.getLongValue();
  }

  private static Long boxedLong(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    return t == JsonToken.VALUE_NULL ? null : longValue(p, t);
  }

  private static double doubleValue(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
      throw NotCanonical.INSTANCE;
    }
    return p.getDoubleValue();
  }

  private static Double boxedDouble(JsonParser p, JsonToken t) throws IOException, NotCanonical {
    return t == JsonToken.VALUE_NULL ? null : doubleValue(p, t);
  }

  private static boolean booleanValue(JsonToken t) throws NotCanonical {
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw NotCanonical.INSTANCE;
  }
}
