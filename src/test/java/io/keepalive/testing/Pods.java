package io.keepalive.testing;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodOS;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.InjectedContainers;
import java.util.HashMap;
import java.util.Map;

/**
 * Pods for tests: {@link #named} for the unit tier, {@link #restricted} for pods created on the API
 * server.
 */
public final class Pods {
  public static final Map<String, String> WEB = Policies.WEB;

  private Pods() {}

  /**
   * A pod of namespace "ns" with one container "app", no labels, no status; say what else it has.
   */
  public static Builder named(String name) {
    return new Builder(name);
  }

  /** A pod that passes Pod Security "restricted" as it is. */
  public static Pod restricted(String namespace, String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(1000L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("app")
        .withImage("registry.example/app:1")
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .addToDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .build();
  }

  public static final class Builder {
    private final PodBuilder pod;
    private final Map<String, String> annotations = new HashMap<>();

    private Builder(String name) {
      pod =
          new PodBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace("ns")
              .endMetadata()
              .withNewSpec()
              .addNewContainer()
              .withName("app")
              .withImage("app:1")
              .endContainer()
              .endSpec();
    }

    public Builder namespace(String namespace) {
      pod.editMetadata().withNamespace(namespace).endMetadata();
      return this;
    }

    public Builder uid(String uid) {
      pod.editMetadata().withUid(uid).endMetadata();
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      pod.editMetadata().withLabels(labels).endMetadata();
      return this;
    }

    public Builder annotations(Map<String, String> more) {
      annotations.putAll(more);
      return this;
    }

    /** Marked as the webhook marks a pod it injected with {@code generation} of {@code policy}. */
    public Builder carrying(String policy, long generation) {
      return annotations(
          Map.of(
              PodMarks.POLICY_ANNOTATION,
              policy,
              PodMarks.GENERATION_ANNOTATION,
              Long.toString(generation)));
    }

    public Builder hostNetwork() {
      pod.editSpec().withHostNetwork(true).endSpec();
      return this;
    }

    public Builder os(String os) {
      pod.editSpec().withOs(new PodOS(os)).endSpec();
      return this;
    }

    /** One more container named {@code name}. */
    public Builder container(String name) {
      pod.editSpec()
          .addToContainers(new ContainerBuilder().withName(name).withImage("app:1").build())
          .endSpec();
      return this;
    }

    /** Carrying the agent container the webhook injects, listening on {@code port}. */
    public Builder agent(int port) {
      pod.editSpec()
          .addToInitContainers(
              new ContainerBuilder()
                  .withName(InjectedContainers.AGENT_CONTAINER)
                  .withImage("keepalive:1")
                  .withRestartPolicy("Always")
                  .addNewPort()
                  .withName(InjectedContainers.AGENT_PORT_NAME)
                  .withContainerPort(port)
                  .endPort()
                  .build())
          .endSpec();
      return this;
    }

    public Builder phase(String phase) {
      pod.editOrNewStatus().withPhase(phase).endStatus();
      return this;
    }

    /** Running at {@code ip}, as the kubelet reports it. */
    public Builder running(String ip) {
      pod.editOrNewStatus().withPhase("Running").withPodIP(ip).endStatus();
      return this;
    }

    public Pod build() {
      Pod built = pod.build();
      if (!annotations.isEmpty()) {
        built.getMetadata().setAnnotations(new HashMap<>(annotations));
      }
      return built;
    }
  }
}
