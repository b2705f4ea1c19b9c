package io.keepalive.rules;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.sidecar.AgentConfig;
import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.Modes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The one source of truth for what the webhook adds to a pod: the sysctls, the privileged init
 * container and the agent sidecar. Image, command, resources and privileges come from the
 * operator's settings (the cluster admin); a policy (a tenant) only contributes numbers and HTTP
 * targets, never what runs or how.
 */
public final class InjectedContainers {
  public static final String SYSCTLS_CONTAINER = "keepalive-sysctls";
  public static final String AGENT_CONTAINER = "keepalive-agent";

  /**
   * Name of the agent's port: the chart's PodMonitor scrapes it by this name, and the operator asks
   * the agent for /status on it.
   */
  public static final String AGENT_PORT_NAME = "keepalive-agent";

  /** The agent's root filesystem is read-only; the JVM and Vert.x still want a writable /tmp. */
  public static final String AGENT_TMP_VOLUME = "keepalive-agent-tmp";

  public static final List<String> CONTAINER_NAMES = List.of(SYSCTLS_CONTAINER, AGENT_CONTAINER);

  public static final String JVM_OPTIONS_ENV = "JAVA_TOOL_OPTIONS";

  private final OperatorSettings settings;

  public InjectedContainers(OperatorSettings settings) {
    this.settings = settings;
  }

  /** The three keepalive sysctls with these values, in a stable order. */
  public static List<Sysctl> sysctls(KeepaliveValues values) {
    return Arrays.stream(KeepaliveSysctl.values())
        .map(s -> new Sysctl(s.sysctlName(), Integer.toString(values.get(s))))
        .toList();
  }

  /**
   * The values a pod runs with: the policy's, except the sysctls the pod sets itself, which are
   * never clobbered. A value the kubelet would refuse (not a number) is left to the policy's; the
   * pod fails anyway.
   */
  static KeepaliveValues inForce(KeepaliveValues policy, Map<String, String> podSysctls) {
    return KeepaliveValues.of(
        sysctl -> {
          String own = podSysctls.get(sysctl.sysctlName());
          return own != null && own.trim().matches("\\d{1,9}")
              ? Integer.parseInt(own.trim())
              : policy.get(sysctl);
        });
  }

  /**
   * The init container of the InitContainer strategy: privileged because /proc/sys is read-only
   * otherwise, root because the sysctl files belong to root. Sysctls the pod sets itself are left
   * out so the pod's own values stay (the kubelet applies pod sysctls before init containers run);
   * when the pod sets all three there is nothing left to write, and no init container
   * (apply-sysctls refuses to run without values). The arguments are the agent's own option names,
   * so the command line cannot drift from its parser.
   */
  public Optional<Container> sysctlInitContainer(KeepaliveValues values, Set<String> leaveAlone) {
    List<String> args = new ArrayList<>(List.of(Modes.APPLY_SYSCTLS));
    for (KeepaliveSysctl sysctl : KeepaliveSysctl.values()) {
      if (!leaveAlone.contains(sysctl.sysctlName())) {
        args.add(sysctl.option() + "=" + values.get(sysctl));
      }
    }
    if (args.size() == 1) {
      return Optional.empty();
    }
    return Optional.of(
        base(SYSCTLS_CONTAINER, args, resources(settings.initContainer()))
            .withNewSecurityContext()
            .withPrivileged(true)
            .withRunAsUser(0L)
            .withRunAsNonRoot(false)
            .withReadOnlyRootFilesystem(true)
            .endSecurityContext()
            .build());
  }

  /**
   * The observing agent. It must pass Pod Security restricted: non-root, no privilege escalation,
   * no capabilities, RuntimeDefault seccomp, read-only root filesystem. Only a liveness probe: a
   * readiness probe would make the workload's pod unready whenever the observer is (for native
   * sidecars as well as regular containers), and the agent must never take traffic away from the
   * workload.
   *
   * @param podSysctls the keepalive sysctls the pod sets itself, by name; their values stay in
   *     force
   * @param nativeSidecar as an init container with restartPolicy Always (v1.29+), else a regular
   *     container
   */
  public Container agentContainer(
      KeepalivePolicy policy, Map<String, String> podSysctls, boolean nativeSidecar) {
    int port = settings.agent().port();
    List<EnvVar> env = new ArrayList<>();
    KeepaliveValues inForce = inForce(KeepaliveValues.of(policy.getSpec().getTcp()), podSysctls);
    for (Map.Entry<String, String> e :
        AgentConfig.forPolicy(policy, inForce, port).toEnv().entrySet()) {
      env.add(new EnvVar(e.getKey(), e.getValue(), null));
    }
    env.add(new EnvVar(JVM_OPTIONS_ENV, settings.agent().jvmOptions(), null));
    ContainerBuilder builder =
        base(AGENT_CONTAINER, List.of(Modes.AGENT), resources(settings.agent()))
            .withEnv(env)
            .addNewPort()
            .withName(AGENT_PORT_NAME)
            .withContainerPort(port)
            .withProtocol("TCP")
            .endPort()
            .withNewLivenessProbe()
            .withNewHttpGet()
            .withPath("/healthz")
            .withPort(new IntOrString(port))
            .endHttpGet()
            .withInitialDelaySeconds(10)
            .withPeriodSeconds(30)
            .withTimeoutSeconds(5)
            .withFailureThreshold(3)
            .endLivenessProbe()
            .addNewVolumeMount()
            .withName(AGENT_TMP_VOLUME)
            .withMountPath("/tmp")
            .endVolumeMount()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(settings.agent().runAsUser())
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext();
    if (nativeSidecar) {
      builder.withRestartPolicy("Always");
    }
    return builder.build();
  }

  /** Pull secrets of the injected image, added to the pod (names in the pod's namespace). */
  public List<String> imagePullSecrets() {
    return settings.imagePullSecrets().orElse(List.of()).stream()
        .map(String::trim)
        .filter(n -> !n.isEmpty())
        .toList();
  }

  /**
   * The agent container a pod carries, from its spec (as a native sidecar or a regular container).
   * Containers and their ports cannot change after a pod is created: unlike an annotation, what is
   * read here is what the pod runs, not what someone wrote on it later.
   */
  public static Optional<Container> agent(PodSpec spec) {
    if (spec == null) {
      return Optional.empty();
    }
    return Stream.of(spec.getInitContainers(), spec.getContainers())
        .filter(Objects::nonNull)
        .flatMap(List::stream)
        .filter(c -> c != null && AGENT_CONTAINER.equals(c.getName()))
        .findFirst();
  }

  /** The port of the pod's agent container, or 0 when it has none. */
  public static int agentPort(PodSpec spec) {
    return agent(spec).map(InjectedContainers::agentPort).orElse(0);
  }

  /** The port of an agent container, or 0 when it names none. */
  public static int agentPort(Container agent) {
    return (agent.getPorts() == null ? Stream.<ContainerPort>empty() : agent.getPorts().stream())
        .filter(p -> p != null && AGENT_PORT_NAME.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .filter(port -> port != null && port > 0 && port < 65536)
        .findFirst()
        .orElse(0);
  }

  public Volume agentTmpVolume() {
    return new VolumeBuilder()
        .withName(AGENT_TMP_VOLUME)
        .withNewEmptyDir()
        .withSizeLimit(new Quantity("16Mi"))
        .endEmptyDir()
        .build();
  }

  private ContainerBuilder base(String name, List<String> args, ResourceRequirements resources) {
    ContainerBuilder builder =
        new ContainerBuilder()
            .withName(name)
            .withImage(settings.image())
            .withImagePullPolicy(settings.imagePullPolicy())
            .withArgs(args)
            .withResources(resources)
            .withTerminationMessagePolicy("FallbackToLogsOnError");
    settings.command().ifPresent(builder::withCommand);
    if (!name.equals(AGENT_CONTAINER)) {
      builder
          .addNewEnv()
          .withName(JVM_OPTIONS_ENV)
          .withValue(settings.agent().jvmOptions())
          .endEnv();
    }
    return builder;
  }

  private static ResourceRequirements resources(OperatorSettings.Resources r) {
    ResourceRequirementsBuilder resources =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity(r.cpuRequest()))
            .addToRequests("memory", new Quantity(r.memoryRequest()));
    if (!OperatorSettings.Resources.NO_LIMIT.equals(r.cpuLimit().trim())) {
      resources.addToLimits("cpu", new Quantity(r.cpuLimit()));
    }
    return resources.addToLimits("memory", new Quantity(r.memoryLimit())).build();
  }
}
