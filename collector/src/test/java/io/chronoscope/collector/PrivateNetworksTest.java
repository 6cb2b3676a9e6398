package io.chronoscope.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrivateNetworksTest {

  @Test
  void namesTheSlash24OfPrivateAddressesAndNothingForPublicOnes() {
    assertThat(PrivateNetworks.networkOf("10.64.3.17")).isEqualTo("10.64.3.0/24");
    assertThat(PrivateNetworks.networkOf("172.31.0.4")).isEqualTo("172.31.0.0/24");
    assertThat(PrivateNetworks.networkOf("192.168.1.7")).isEqualTo("192.168.1.0/24");
    assertThat(PrivateNetworks.networkOf("100.64.0.9")).isEqualTo("100.64.0.0/24");
    assertThat(PrivateNetworks.networkOf("172.32.0.4")).isNull();
    assertThat(PrivateNetworks.networkOf("8.8.8.8")).isNull();
    assertThat(PrivateNetworks.networkOf("fd00:1:2:3::9")).isEqualTo("fd00:1:2:3::/64");
    assertThat(PrivateNetworks.networkOf("2001:db8::1")).isNull();
  }
}
