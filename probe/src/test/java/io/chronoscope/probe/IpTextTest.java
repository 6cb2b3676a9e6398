package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpTextTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1, 127.0.0.1",
      "0.0.0.0, 0.0.0.0",
      "::1, ::1",
      "::, ::",
      "2001:db8:0:0:0:0:0:1, 2001:db8::1",
      "2001:DB8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // first of two equal runs
      "fe80:0:0:0:1:0:0:1, fe80::1:0:0:1", // the longest run
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // a single zero group stays
      "1:0:0:0:0:0:0:0, 1::",
      "::ffff:10.1.2.3, 10.1.2.3", // v4-mapped is the IPv4 endpoint
      "::a01:203, ::a01:203", // v4-compatible is not mapped
  })
  void formatsCanonically(String input, String expected) throws UnknownHostException {
    byte[] bytes = InetAddress.getByName(input).getAddress();
    if (input.startsWith("::ffff:")) {
      bytes = mapped(bytes); // the JDK already unmaps it; rebuild the 16 bytes the kernel sends
    }
    assertThat(IpText.of(bytes)).isEqualTo(expected);
  }

  @Test
  void wildcardPeerOfAnIpv4EndpointIsIpv4() {
    assertThat(IpText.peerInFamilyOf("127.0.0.1", "::")).isEqualTo("0.0.0.0");
    assertThat(IpText.peerInFamilyOf("::1", "::")).isEqualTo("::");
    assertThat(IpText.peerInFamilyOf("127.0.0.1", "10.0.0.1")).isEqualTo("10.0.0.1");
  }

  private static byte[] mapped(byte[] ipv4) {
    byte[] bytes = new byte[16];
    bytes[10] = (byte) 0xff;
    bytes[11] = (byte) 0xff;
    System.arraycopy(ipv4, 0, bytes, 12, 4);
    return bytes;
  }
}
