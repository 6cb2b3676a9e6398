package io.chronoscope.deploys.kubernetes;

import io.chronoscope.deploys.DeployEvent;
import io.chronoscope.deploys.DeployRecorder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Watches rollouts as they happen: informers on Deployments, StatefulSets, DaemonSets, ConfigMaps
 * and Secrets (Helm releases among them) turn changes into deploy events through
 * {@link RolloutEvents} and hand them to the recorder, which stores each once. On start the
 * current state of every workload is recorded too: after a restart the dedup keys make that a
 * no-op.
 */
public final class KubernetesWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KubernetesWatcher.class.getName());

  private final KubernetesClient client;
  private final DeployRecorder recorder;
  private final RolloutEvents events;
  private final Clock clock;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  public KubernetesWatcher(KubernetesClient client, DeployRecorder recorder, String cluster, Clock clock) {
    this.client = client;
    this.recorder = recorder;
    this.events = new RolloutEvents(cluster);
    this.clock = clock;
  }

  /** Starts the informers; returns once each has listed what exists. */
  public KubernetesWatcher start() {
    informers.add(client.apps().deployments().inAnyNamespace().inform(handler(this::onDeployment, null), 0));
    informers.add(client.apps().statefulSets().inAnyNamespace().inform(handler(this::onStatefulSet, null), 0));
    informers.add(client.apps().daemonSets().inAnyNamespace().inform(handler(this::onDaemonSet, null), 0));
    informers.add(client.configMaps().inAnyNamespace().inform(handler(c -> { }, this::onConfigMapChange), 0));
    informers.add(client.secrets().inAnyNamespace().inform(handler(this::onSecret, this::onSecretChange), 0));
    return this;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
  }

  void onDeployment(Deployment d) {
    String revision = RolloutEvents.annotation(d, RolloutEvents.REVISION);
    if (revision == null) {
      return;
    }
    List<ReplicaSet> owned = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).list()
        .getItems().stream().filter(rs -> ownedBy(rs, d)).toList();
    ReplicaSet current = owned.stream()
        .filter(rs -> revision.equals(RolloutEvents.annotation(rs, RolloutEvents.REVISION))).findFirst().orElse(null);
    String previous = owned.stream().map(rs -> number(RolloutEvents.annotation(rs, RolloutEvents.REVISION)))
        .filter(n -> n != null && n < number(revision)).max(Long::compare).map(String::valueOf).orElse(null);
    events.deployment(d, current, previous, clock.millis()).ifPresent(this::record);
  }

  void onStatefulSet(StatefulSet s) {
    if (s.getStatus() == null || s.getStatus().getUpdateRevision() == null) {
      return;
    }
    var status = s.getStatus();
    boolean done = Objects.equals(status.getUpdateRevision(), status.getCurrentRevision())
        && Objects.equals(status.getUpdatedReplicas(), status.getReplicas());
    controllerRevision(s, "statefulset", s.getSpec().getTemplate().getSpec(), status.getUpdateRevision(), done);
  }

  void onDaemonSet(DaemonSet d) {
    if (d.getStatus() == null) {
      return;
    }
    var status = d.getStatus();
    boolean done = Objects.equals(status.getUpdatedNumberScheduled(), status.getDesiredNumberScheduled())
        && Objects.equals(status.getNumberAvailable(), status.getDesiredNumberScheduled());
    // A DaemonSet's status does not name its update revision: it is its newest ControllerRevision.
    controllerRevision(d, "daemonset", d.getSpec().getTemplate().getSpec(), null, done);
  }

  private void controllerRevision(HasMetadata workload, String kind, PodSpec template, String updateRevision,
      boolean done) {
    List<ControllerRevision> owned = client.apps().controllerRevisions()
        .inNamespace(workload.getMetadata().getNamespace()).list().getItems().stream()
        .filter(cr -> ownedBy(cr, workload)).sorted(Comparator.comparing(ControllerRevision::getRevision)).toList();
    Optional<ControllerRevision> update = updateRevision == null
        ? owned.stream().reduce((a, b) -> b)
        : owned.stream().filter(cr -> updateRevision.equals(cr.getMetadata().getName())).findFirst();
    if (update.isEmpty()) {
      return;
    }
    long revision = update.get().getRevision();
    String previous = owned.stream().map(ControllerRevision::getRevision).filter(r -> r < revision)
        .max(Long::compare).map(String::valueOf).orElse(null);
    record(events.controllerRevision(workload, kind, template, update.get().getMetadata().getName(), revision,
        previous, done, clock.millis()));
  }

  void onSecret(Secret s) {
    if (RolloutEvents.HELM_RELEASE_TYPE.equals(s.getType())) {
      events.helmRelease(s, clock.millis()).ifPresent(this::record);
    }
  }

  void onSecretChange(Secret before, Secret after) {
    if (RolloutEvents.HELM_RELEASE_TYPE.equals(after.getType())) {
      onSecret(after);
    } else if (!Objects.equals(before.getData(), after.getData())
        || !Objects.equals(before.getStringData(), after.getStringData())) {
      configChanged(after, "Secret");
    }
  }

  void onConfigMapChange(ConfigMap before, ConfigMap after) {
    if (RolloutEvents.dataChanged(before, after)) {
      configChanged(after, "ConfigMap");
    }
  }

  private void configChanged(HasMetadata config, String configKind) {
    String ns = config.getMetadata().getNamespace();
    String name = config.getMetadata().getName();
    long now = clock.millis();
    for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
      if (RolloutEvents.references(d.getSpec().getTemplate().getSpec(), configKind, name)) {
        record(events.configChange(config, configKind, d, "deployment", now));
      }
    }
    for (StatefulSet s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
      if (RolloutEvents.references(s.getSpec().getTemplate().getSpec(), configKind, name)) {
        record(events.configChange(config, configKind, s, "statefulset", now));
      }
    }
    for (DaemonSet d : client.apps().daemonSets().inNamespace(ns).list().getItems()) {
      if (RolloutEvents.references(d.getSpec().getTemplate().getSpec(), configKind, name)) {
        record(events.configChange(config, configKind, d, "daemonset", now));
      }
    }
  }

  private void record(DeployEvent e) {
    recorder.record(List.of(e));
  }

  /**
   * By uid, or by kind and name: both name one owner among live objects, and the name also holds
   * where the uid was not kept (the API server re-creating an object, the mock server).
   */
  private static boolean ownedBy(HasMetadata child, HasMetadata owner) {
    List<OwnerReference> refs = child.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> Objects.equals(owner.getMetadata().getUid(), r.getUid())
        || (owner.getKind().equals(r.getKind()) && owner.getMetadata().getName().equals(r.getName())));
  }

  private static Long number(String s) {
    try {
      return s == null ? null : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Adds and updates go to {@code onObject}; updates also to {@code onChange} with the old object. */
  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> onObject, BiConsumer<T, T> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        safely(obj, () -> onObject.accept(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        safely(newObj, () -> {
          onObject.accept(newObj);
          if (onChange != null) {
            onChange.accept(oldObj, newObj);
          }
        });
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        // A deleted workload is not a deploy; its history stays.
      }
    };
  }

  /** One object the watcher cannot read must not stop it watching the others. */
  private static void safely(HasMetadata obj, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot derive a deploy event from " + obj.getKind() + " "
          + obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName() + ": " + e.getMessage(), e);
    }
  }
}
