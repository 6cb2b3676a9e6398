package io.chronoscope.topology;

/** Node kinds in the world graph and in rendered views. */
public final class Kinds {
  public static final String HOST = "host";
  public static final String PROCESS = "process";
  public static final String PROCESS_GROUP = "process-group";
  /** A peer outside every reporting host, known only by its address. */
  public static final String REMOTE = "remote";

  private Kinds() {}
}
