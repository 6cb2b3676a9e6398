package io.chronoscope.topology;

/** Node kinds in the world graph and in rendered views. */
public final class Kinds {
  public static final String HOST = "host";
  public static final String PROCESS = "process";
  public static final String PROCESS_GROUP = "process-group";
  public static final String CONTAINER = "container";
  public static final String CONTAINER_GROUP = "container-group";
  public static final String POD = "pod";
  public static final String WORKLOAD = "workload";
  public static final String SERVICE = "service";
  /** Nodes sharing one value of a label the user grouped by ({@code group=}). */
  public static final String LABEL_GROUP = "label-group";
  /** A peer outside every reporting host: the internet, or an unknown private network. */
  public static final String REMOTE = "remote";

  private Kinds() {}
}
