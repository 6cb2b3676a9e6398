package io.chronoscope.collector;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Tells private addresses (RFC 1918, carrier-grade NAT 100.64/10 as used by pod networks,
 * link-local, IPv6 unique-local) from public ones, and names the network a private one is shown in.
 */
final class PrivateNetworks {
  private PrivateNetworks() {}

  /** The /24 (IPv6: /64) of a private address, e.g. {@code 10.64.3.0/24}; null for a public one. */
  static String networkOf(String address) {
    if (address.indexOf(':') >= 0) {
      return ipv6NetworkOf(address);
    }
    String[] parts = address.split("\\.");
    if (parts.length != 4) {
      return null;
    }
    int a;
    int b;
    try {
      a = Integer.parseInt(parts[0]);
      b = Integer.parseInt(parts[1]);
      Integer.parseInt(parts[2]);
    } catch (NumberFormatException e) {
      return null;
    }
    boolean isPrivate = a == 10
        || (a == 172 && b >= 16 && b <= 31)
        || (a == 192 && b == 168)
        || (a == 100 && b >= 64 && b <= 127)
        || (a == 169 && b == 254);
    return isPrivate ? parts[0] + "." + parts[1] + "." + parts[2] + ".0/24" : null;
  }

  private static String ipv6NetworkOf(String address) {
    byte[] bytes;
    try {
      // A string with a colon is only ever parsed as a literal, never looked up in DNS.
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
    if (bytes.length != 16) {
      return null;
    }
    boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
    boolean linkLocal = (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xc0) == 0x80;
    if (!uniqueLocal && !linkLocal) {
      return null;
    }
    StringBuilder network = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      network.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
    }
    return network.append(":/64").toString();
  }
}
