package io.chronoscope.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronoscope.probe.ContainerIds.ContainerRef;
import org.junit.jupiter.api.Test;

/** Cgroup paths as real hosts write them (samples from Docker, Kubernetes, Podman, systemd). */
class ContainerIdsTest {
  private static final String ID =
      "3f4e1a8b9c0d2e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f";

  @Test
  void dockerCgroupfsAndSystemdDrivers() {
    assertThat(ContainerIds.of("/docker/" + ID, false))
        .isEqualTo(new ContainerRef("docker", ID, null, "/docker/" + ID));
    assertThat(ContainerIds.of("/system.slice/docker-" + ID + ".scope", false))
        .isEqualTo(new ContainerRef("docker", ID, null, "/system.slice/docker-" + ID + ".scope"));
    // a process in a sub-cgroup of the container (systemd inside it) still belongs to it
    assertThat(ContainerIds.of("/docker/" + ID + "/init.scope", true).cgroup())
        .isEqualTo("/docker/" + ID);
  }

  @Test
  void kubernetesWithPodUid() {
    assertThat(ContainerIds.of(
        "/kubepods/burstable/pod8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d/" + ID, true))
        .isEqualTo(new ContainerRef("containerd", ID, "8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d",
            "/kubepods/burstable/pod8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d/" + ID));
    assertThat(ContainerIds.of("/kubepods.slice/kubepods-besteffort.slice/"
        + "kubepods-besteffort-pod8a1c6e5e_3b2d_4f6a_9c1e_2d3f4a5b6c7d.slice/cri-containerd-"
        + ID + ".scope", true))
        .extracting(ContainerRef::runtime, ContainerRef::id, ContainerRef::podUid)
        .containsExactly("containerd", ID, "8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d");
    assertThat(ContainerIds.of("/kubepods.slice/kubepods-burstable.slice/"
        + "kubepods-burstable-pod0f9e8d7c_6b5a_4321_a0b1_c2d3e4f5a6b7.slice/crio-" + ID
        + ".scope", true))
        .extracting(ContainerRef::runtime, ContainerRef::podUid)
        .containsExactly("cri-o", "0f9e8d7c-6b5a-4321-a0b1-c2d3e4f5a6b7");
    // guaranteed QoS pods sit directly under kubepods
    assertThat(ContainerIds.of("/kubepods/pod8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d/" + ID, true)
        .podUid()).isEqualTo("8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d");
    // the pod's own cgroup holds no container
    assertThat(ContainerIds.of("/kubepods/burstable/pod8a1c6e5e-3b2d-4f6a-9c1e-2d3f4a5b6c7d",
        false)).isNull();
  }

  @Test
  void crioAndPodmanButNotTheirMonitors() {
    assertThat(ContainerIds.of("/machine.slice/crio-" + ID + ".scope", true).runtime())
        .isEqualTo("cri-o");
    assertThat(ContainerIds.of("/machine.slice/crio-conmon-" + ID + ".scope", false)).isNull();
    assertThat(ContainerIds.of("/machine.slice/libpod-" + ID + ".scope", true))
        .isEqualTo(new ContainerRef("podman", ID, null, "/machine.slice/libpod-" + ID + ".scope"));
    assertThat(ContainerIds.of("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
        + ID + ".scope/container", true).id()).isEqualTo(ID);
    assertThat(ContainerIds.of("/machine.slice/libpod-conmon-" + ID + ".scope", false)).isNull();
    assertThat(ContainerIds.of("/libpod_parent/libpod-" + ID, true).runtime())
        .isEqualTo("podman");
  }

  @Test
  void lxc() {
    assertThat(ContainerIds.of("/lxc.payload.web1", true).id()).isEqualTo("web1");
    assertThat(ContainerIds.of("/lxc/web1", true).runtime()).isEqualTo("lxc");
  }

  @Test
  void systemdUnitsAndHostProcessesAreNoContainers() {
    assertThat(ContainerIds.of("/system.slice/nginx.service", false)).isNull();
    assertThat(ContainerIds.of("/system.slice/nginx.service", true)).isNull();
    assertThat(ContainerIds.of("/user.slice/user-0.slice/session-1.scope", false)).isNull();
    assertThat(ContainerIds.of("/init.scope", false)).isNull();
    assertThat(ContainerIds.of("/", true)).isNull();
    assertThat(ContainerIds.of(null, true)).isNull();
    // a hand-made cgroup in the host's network namespace: resource limits, not a container
    assertThat(ContainerIds.of("/batch/jobs", false)).isNull();
  }

  @Test
  void unknownRuntimeNeedsOwnNetworkNamespaceAndNoUnitName() {
    assertThat(ContainerIds.of("/chronoscope-test-42", true))
        .isEqualTo(new ContainerRef("unknown", "chronoscope-test-42", null, "/chronoscope-test-42"));
    assertThat(ContainerIds.of("/sandboxes/box-7", true).id()).isEqualTo("box-7");
  }

  @Test
  void picksV2OnPureV2AndTheCpuacctPathOnV1AndHybridHosts() {
    assertThat(ContainerIds.pathOf("0::/system.slice/docker-" + ID + ".scope\n"))
        .isEqualTo("/system.slice/docker-" + ID + ".scope");
    String v1 = """
        12:pids:/docker/%1$s
        11:cpu,cpuacct:/docker/%1$s
        9:memory:/docker/%1$s
        1:name=systemd:/docker/%1$s
        0::/system.slice/containerd.service
        """.formatted(ID);
    assertThat(ContainerIds.pathOf(v1)).isEqualTo("/docker/" + ID);
    String hybridRoot = """
        9:name=systemd:/
        4:memory:/
        2:cpuacct:/
        0::/user.slice/user-0.slice/session-3.scope
        """;
    assertThat(ContainerIds.pathOf(hybridRoot)).isEqualTo("/user.slice/user-0.slice/session-3.scope");
    assertThat(ContainerIds.pathOf("4:memory:/a:b\n2:cpuacct:/\n")).isEqualTo("/a:b");
    assertThat(ContainerIds.pathOf("2:cpuacct:/\n")).isEqualTo("/");
  }
}
