package io.chronoscope.probe;

/**
 * Textual IP addresses in one canonical form for every source, so the collector can join
 * endpoints by string: IPv4 dotted quad, IPv6 as RFC 5952 (lowercase, longest zero run as
 * "::"), and IPv4-mapped IPv6 (::ffff:a.b.c.d) as plain IPv4 because it is the same endpoint.
 * The JDK's Inet6Address.getHostAddress() prints "0:0:0:0:0:0:0:1", hence this class.
 */
final class IpText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private IpText() {}

  /** Formats 4 (IPv4) or 16 (IPv6) bytes starting at {@code offset}. */
  static String of(byte[] address, int offset, int length) {
    if (length == 4) {
      return ipv4(address, offset);
    }
    if (length != 16) {
      throw new IllegalArgumentException("IP address length must be 4 or 16, was " + length);
    }
    return isV4Mapped(address, offset) ? ipv4(address, offset + 12) : ipv6(address, offset);
  }

  static String of(byte[] address) {
    return of(address, 0, address.length);
  }

  /**
   * The wildcard {@code peer} of an IPv4-mapped socket (a listener bound to 127.0.0.1 on an IPv6
   * socket, as Java does) as "0.0.0.0", so both ends of one socket are in one family.
   */
  static String peerInFamilyOf(String address, String peer) {
    return peer.equals("::") && address.indexOf(':') < 0 ? "0.0.0.0" : peer;
  }

  private static boolean isV4Mapped(byte[] a, int offset) {
    for (int i = 0; i < 10; i++) {
      if (a[offset + i] != 0) {
        return false;
      }
    }
    return a[offset + 10] == (byte) 0xff && a[offset + 11] == (byte) 0xff;
  }

  private static String ipv4(byte[] a, int offset) {
    StringBuilder text = new StringBuilder(15);
    for (int i = 0; i < 4; i++) {
      if (i > 0) {
        text.append('.');
      }
      text.append(a[offset + i] & 0xff);
    }
    return text.toString();
  }

  private static String ipv6(byte[] a, int offset) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (a[offset + 2 * i] & 0xff) << 8 | (a[offset + 2 * i + 1] & 0xff);
    }
    // RFC 5952 4.2: shorten the longest run of two or more zero groups, the first one on a tie.
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      appendHex(text, groups[i]);
    }
    return text.toString();
  }

  private static void appendHex(StringBuilder text, int group) {
    boolean leading = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int digit = (group >> shift) & 0xf;
      if (digit != 0 || !leading || shift == 0) {
        text.append(HEX[digit]);
        leading = false;
      }
    }
  }
}
