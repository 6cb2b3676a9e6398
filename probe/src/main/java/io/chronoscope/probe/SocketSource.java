package io.chronoscope.probe;

import io.chronoscope.model.Connection;
import java.io.IOException;
import java.util.List;
import java.util.function.LongFunction;

/** Where the probe lists the host's TCP sockets from: the kernel over netlink, or procfs text. */
interface SocketSource extends AutoCloseable {

  /** The {@link Connection#source()} value of what this source reports. */
  String name();

  /**
   * Every TCP socket of the probe's network namespace, IPv4 and IPv6, in all states.
   *
   * @param ownerOf the pid holding a socket inode, or null when unknown
   */
  List<Connection> tcp(LongFunction<Integer> ownerOf) throws IOException;

  @Override
  default void close() {}
}
