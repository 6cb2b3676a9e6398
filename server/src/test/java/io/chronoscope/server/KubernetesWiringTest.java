package io.chronoscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher starts only where a cluster is configured, and can be switched off. */
class KubernetesWiringTest {
  @TempDir
  Path home;

  @Test
  void noKubeconfigNoWatcher() {
    assertThat(KubernetesWiring.configSource(Map.of(), home)).isNull();
    assertThat(KubernetesWiring.configSource(Map.of("KUBECONFIG", home.resolve("missing").toString()), home)).isNull();
  }

  @Test
  void aKubeconfigTurnsItOnUnlessSwitchedOff() throws Exception {
    Path config = Files.createDirectories(home.resolve(".kube")).resolve("config");
    Files.writeString(config, "apiVersion: v1\nkind: Config\n");

    assertThat(KubernetesWiring.configSource(Map.of(), home)).isEqualTo(config.toString());
    assertThat(KubernetesWiring.configSource(Map.of("KUBECONFIG", config.toString()), home))
        .isEqualTo("KUBECONFIG=" + config);
    assertThat(KubernetesWiring.configSource(Map.of("CHRONOSCOPE_KUBERNETES", "off"), home)).isNull();
  }
}
