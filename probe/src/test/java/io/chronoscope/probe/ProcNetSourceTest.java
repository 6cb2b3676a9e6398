package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fallback's parser on crafted files (little-endian words, as this machine writes them). */
class ProcNetSourceTest {
  private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr "
      + "tm->when retrnsmt   uid  timeout inode\n";

  @TempDir
  Path procRoot;

  @Test
  void parsesIpv4AndIpv6LinesWithOwners() throws IOException {
    Files.createDirectories(procRoot.resolve("net"));
    Files.writeString(procRoot.resolve("net/tcp"), HEADER
        + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
        + "        0 12345 1 0000000000000000 100 0 0 10 0\n"
        + "   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000"
        + "        0 12346 1 0000000000000000 20 4 30 10 -1\n"
        + "   2: 0100007F:C351 0100007F:1F90 06 00000000:00000000 03:00000E5F 00000000     0"
        + "        0 0 3 0000000000000000");
    Files.writeString(procRoot.resolve("net/tcp6"), HEADER
        + "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
        + "00000000:00000000 00:00000000 00000000     0        0 22222 1 0000000000000000 100 0 0 10 0\n"
        + "   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000A00000A:D431 01 "
        + "00000000:00000000 00:00000000 00000000     0        0 33333 1 0000000000000000 20 4 30 10 -1\n"
        + "   2: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A "
        + "00000000:00000000 00:00000000 00000000     0        0 44444 1 0000000000000000 100 0 0 10 0\n");

    List<Connection> connections = new ProcNetSource(procRoot)
        .tcp(inode -> inode == 12345 ? Integer.valueOf(77) : inode == 33333 ? Integer.valueOf(88) : null);

    assertThat(connections).containsExactly(
        new Connection("tcp", "127.0.0.1", 8080, "0.0.0.0", 0, "LISTEN", 77, 12345, "procfs"),
        new Connection("tcp", "127.0.0.1", 50000, "127.0.0.1", 8080, "ESTABLISHED", null, 12346,
            "procfs"),
        new Connection("tcp", "127.0.0.1", 50001, "127.0.0.1", 8080, "TIME_WAIT", null, 0,
            "procfs"),
        new Connection("tcp", "::1", 22, "::", 0, "LISTEN", null, 22222, "procfs"),
        new Connection("tcp", "127.0.0.1", 8080, "10.0.0.10", 54321, "ESTABLISHED", 88, 33333,
            "procfs"),
        new Connection("tcp", "2001:db8::1", 443, "::", 0, "LISTEN", null, 44444, "procfs"));
  }

  @Test
  void missingTcp6MeansNoIpv6() throws IOException {
    Files.createDirectories(procRoot.resolve("net"));
    Files.writeString(procRoot.resolve("net/tcp"), HEADER);

    assertThat(new ProcNetSource(procRoot).tcp(inode -> null)).isEmpty();
  }

  @Test
  void malformedLineNamesFileAndValue() throws IOException {
    Files.createDirectories(procRoot.resolve("net"));
    Files.writeString(procRoot.resolve("net/tcp"), HEADER
        + "   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n");

    assertThatThrownBy(() -> new ProcNetSource(procRoot).tcp(inode -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("net/tcp")
        .hasMessageContaining("'0100007G'");
  }
}
