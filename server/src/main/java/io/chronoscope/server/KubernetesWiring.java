package io.chronoscope.server;

import io.chronoscope.deploys.DeployRecorder;
import io.chronoscope.deploys.kubernetes.KubernetesWatcher;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Deque;
import java.util.Map;

/**
 * Starts the Kubernetes rollout watcher when this process can reach a cluster: a kubeconfig
 * ({@code KUBECONFIG} or {@code ~/.kube/config}) or the in-cluster service account.
 * {@code CHRONOSCOPE_KUBERNETES=off} keeps it off; {@code CHRONOSCOPE_CLUSTER} names the cluster in
 * deploy targets (default: the kubeconfig's current context). It starts in the background, so an
 * unreachable API server delays no start-up; the informers retry on their own.
 */
final class KubernetesWiring {
  private static final System.Logger LOG = System.getLogger(KubernetesWiring.class.getName());
  static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private KubernetesWiring() {}

  /** Whether a cluster's configuration is present, and why (for the start-up line); null if none. */
  static String configSource(Map<String, String> env, Path home) {
    String off = env.getOrDefault("CHRONOSCOPE_KUBERNETES", "");
    if (off.equalsIgnoreCase("off") || off.equalsIgnoreCase("false")) {
      return null;
    }
    String kubeconfig = env.get("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()
        && Files.isRegularFile(Path.of(kubeconfig.split(java.io.File.pathSeparator)[0]))) {
      return "KUBECONFIG=" + kubeconfig;
    }
    if (Files.isRegularFile(home.resolve(".kube").resolve("config"))) {
      return home.resolve(".kube").resolve("config").toString();
    }
    if (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isRegularFile(SERVICE_ACCOUNT_TOKEN)) {
      return "the in-cluster service account";
    }
    return null;
  }

  static void startIfConfigured(DeployRecorder recorder, Map<String, String> env, Clock clock,
      Deque<AutoCloseable> resources) {
    String source = configSource(env, Path.of(System.getProperty("user.home")));
    if (source == null) {
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    String cluster = env.get("CHRONOSCOPE_CLUSTER");
    if (cluster == null || cluster.isBlank()) {
      cluster = client.getConfiguration().getCurrentContext() != null
          ? client.getConfiguration().getCurrentContext().getName() : "kubernetes";
    }
    KubernetesWatcher watcher = new KubernetesWatcher(client, recorder, cluster, clock);
    resources.push(client);
    resources.push(watcher);
    String name = cluster;
    Thread starter = new Thread(() -> {
      try {
        watcher.start();
        LOG.log(System.Logger.Level.INFO, "watching rollouts in cluster " + name + " (from " + source + ")");
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot watch rollouts in cluster " + name + " (from " + source
            + "): " + e.getMessage() + "; set CHRONOSCOPE_KUBERNETES=off to stop trying", e);
      }
    }, "chronoscope-kubernetes-watcher-start");
    starter.setDaemon(true);
    starter.start();
  }
}
