package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronoscope.model.Connection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The ring-buffer record layout of connections.bpf.c's struct event, decoded. */
class ConnectionEventTest {

  @Test
  void ipv4EventBecomesAClosedConnectionInWallClockTime() {
    ByteBuffer record = record(2_000_000_000L, 2_150_000_000L, 512, 64, 4242, 4026531840L,
        ConnectionEvent.AF_INET, 40000, 8080, 9, true,
        new byte[] {10, 0, 0, 5}, new byte[] {(byte) 192, (byte) 168, 1, (byte) 200}, "curl");

    ConnectionEvent event = ConnectionEvent.decode(record);
    Connection c = event.toConnection(1_700_000_000_000_000_000L);

    assertThat(event.comm()).isEqualTo("curl");
    assertThat(event.passive()).isTrue();
    assertThat(event.closedFrom()).isEqualTo(9);
    assertThat(c.protocol()).isEqualTo("tcp");
    assertThat(c.source()).isEqualTo("ebpf");
    assertThat(c.state()).isEqualTo("CLOSED");
    assertThat(c.localAddress()).isEqualTo("10.0.0.5");
    assertThat(c.localPort()).isEqualTo(40000);
    assertThat(c.remoteAddress()).isEqualTo("192.168.1.200");
    assertThat(c.remotePort()).isEqualTo(8080);
    assertThat(c.pid()).isEqualTo(4242);
    assertThat(c.netNamespace()).isEqualTo(4026531840L);
    assertThat(c.bytesSent()).isEqualTo(512);
    assertThat(c.bytesReceived()).isEqualTo(64);
    assertThat(c.openedAt()).isEqualTo(1_700_000_002_000L);
    assertThat(c.closedAt()).isEqualTo(1_700_000_002_150L);
    assertThat(c.inode()).isZero();
  }

  @Test
  void ipv6EventKeepsFullAddressesAndMapsIpv4MappedOnes() {
    byte[] local = new byte[16];
    local[15] = 1; // ::1
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
    ByteBuffer record = record(1, 2, 0, 0, 0, 1, ConnectionEvent.AF_INET6, 65535, 443, 1,
        false, local, mapped, "");

    Connection c = ConnectionEvent.decode(record).toConnection(0);

    assertThat(c.localAddress()).isEqualTo("::1");
    assertThat(c.remoteAddress()).isEqualTo("127.0.0.1");
    assertThat(c.localPort()).isEqualTo(65535);
    assertThat(c.pid()).as("pid 0 means the owner was never seen in a system call").isNull();
  }

  @Test
  void recordOfAnotherSizeOrFamilyIsRejectedWithWhatItWas() {
    assertThatThrownBy(() -> ConnectionEvent.decode(ByteBuffer.allocate(88)))
        .hasMessageContaining("96").hasMessageContaining("88");
    ByteBuffer unknownFamily = record(1, 2, 0, 0, 0, 1, 17, 1, 1, 1, false, new byte[4],
        new byte[4], "x");
    assertThatThrownBy(() -> ConnectionEvent.decode(unknownFamily))
        .hasMessageContaining("was 17");
  }

  /** Lays the fields out as struct event in connections.bpf.c does. */
  private static ByteBuffer record(long establishedNs, long closedNs, long bytesAcked,
      long bytesReceived, int pid, long netns, int family, int sport, int dport, int oldstate,
      boolean passive, byte[] saddr, byte[] daddr, String comm) {
    ByteBuffer b = ByteBuffer.allocate(ConnectionEvent.SIZE).order(ByteOrder.nativeOrder());
    b.putLong(establishedNs).putLong(closedNs).putLong(bytesAcked).putLong(bytesReceived);
    b.putInt(pid).putInt((int) netns);
    b.putShort((short) family).putShort((short) sport).putShort((short) dport);
    b.put((byte) oldstate).put((byte) (passive ? 1 : 0));
    b.put(48, saddr).put(64, daddr).put(80, comm.getBytes(StandardCharsets.UTF_8));
    return b.clear();
  }
}
