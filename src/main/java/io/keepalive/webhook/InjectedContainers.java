package io.keepalive.webhook;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.keepalive.agent.AgentConfig;
import io.keepalive.agent.AgentMain;
import io.keepalive.agent.ApplySysctlsCommand;
import io.keepalive.agent.KeepaliveSysctl;
import io.keepalive.operator.OperatorSettings;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.spec.TcpKeepalive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one source of truth for what the webhook adds to a pod: the sysctls, the privileged init container and
 * the agent sidecar. Image, command, resources and privileges come from the operator's settings (the cluster
 * admin); a policy (a tenant) only contributes numbers and HTTP targets, never what runs or how.
 */
public final class InjectedContainers {
    public static final String SYSCTLS_CONTAINER = "keepalive-sysctls";
    public static final String AGENT_CONTAINER = "keepalive-agent";
    /** The agent's root filesystem is read-only; the JVM and Vert.x still want a writable /tmp. */
    public static final String AGENT_TMP_VOLUME = "keepalive-agent-tmp";
    public static final List<String> CONTAINER_NAMES = List.of(SYSCTLS_CONTAINER, AGENT_CONTAINER);
    /** The pod-level names of the sysctls, from the agent's own list so both sides always agree. */
    public static final List<String> SYSCTL_NAMES = Arrays.stream(KeepaliveSysctl.values())
            .map(InjectedContainers::sysctlName).toList();
    public static final String JVM_OPTIONS_ENV = "JAVA_TOOL_OPTIONS";

    private final OperatorSettings settings;

    public InjectedContainers(OperatorSettings settings) {
        this.settings = settings;
    }

    /** The three keepalive sysctls with the policy's values, in a stable order. */
    public static List<Sysctl> sysctls(TcpKeepalive tcp) {
        return Arrays.stream(KeepaliveSysctl.values())
                .map(s -> new Sysctl(sysctlName(s), Integer.toString(value(s, tcp)))).toList();
    }

    /**
     * The values a pod runs with: the policy's, except the sysctls the pod sets itself, which are never
     * clobbered. A value the kubelet would refuse (not a number) is left to the policy's; the pod fails anyway.
     */
    static TcpKeepalive inForce(TcpKeepalive policy, Map<String, String> podSysctls) {
        TcpKeepalive values = new TcpKeepalive(policy.time(), policy.interval(), policy.probeCount());
        values.setPathIdleTimeoutSeconds(policy.getPathIdleTimeoutSeconds());
        for (KeepaliveSysctl sysctl : KeepaliveSysctl.values()) {
            String own = podSysctls.get(sysctlName(sysctl));
            if (own != null && own.trim().matches("\\d{1,9}")) {
                int value = Integer.parseInt(own.trim());
                switch (sysctl) {
                    case TIME -> values.setTimeSeconds(value);
                    case INTERVAL -> values.setIntervalSeconds(value);
                    case PROBES -> values.setProbes(value);
                }
            }
        }
        return values;
    }

    static String sysctlName(KeepaliveSysctl sysctl) {
        return "net.ipv4." + sysctl.fileName();
    }

    private static int value(KeepaliveSysctl sysctl, TcpKeepalive tcp) {
        return switch (sysctl) {
            case TIME -> tcp.time();
            case INTERVAL -> tcp.interval();
            case PROBES -> tcp.probeCount();
        };
    }

    /**
     * The init container of the InitContainer strategy: privileged because /proc/sys is read-only otherwise,
     * root because the sysctl files belong to root. Sysctls the pod sets itself are left out so the pod's own
     * values stay (the kubelet applies pod sysctls before init containers run); when the pod sets all three
     * there is nothing left to write, and no init container (apply-sysctls refuses to run without values).
     * The arguments are the agent's own option names, so the command line cannot drift from its parser.
     */
    public Optional<Container> sysctlInitContainer(TcpKeepalive tcp, Set<String> leaveAlone) {
        List<String> args = new ArrayList<>(List.of(ApplySysctlsCommand.NAME));
        for (KeepaliveSysctl sysctl : KeepaliveSysctl.values()) {
            if (!leaveAlone.contains(sysctlName(sysctl))) {
                args.add(sysctl.option() + "=" + value(sysctl, tcp));
            }
        }
        if (args.size() == 1) {
            return Optional.empty();
        }
        return Optional.of(base(SYSCTLS_CONTAINER, args, resources(settings.initContainer()))
                .withNewSecurityContext()
                .withPrivileged(true)
                .withRunAsUser(0L)
                .withRunAsNonRoot(false)
                .withReadOnlyRootFilesystem(true)
                .endSecurityContext()
                .build());
    }

    /**
     * The observing agent. It must pass Pod Security restricted: non-root, no privilege escalation, no
     * capabilities, RuntimeDefault seccomp, read-only root filesystem. Only a liveness probe: a readiness
     * probe would make the workload's pod unready whenever the observer is (for native sidecars as well as
     * regular containers), and the agent must never take traffic away from the workload.
     *
     * @param podSysctls    the keepalive sysctls the pod sets itself, by name; their values stay in force
     * @param nativeSidecar as an init container with restartPolicy Always (v1.29+), else a regular container
     */
    public Container agentContainer(KeepalivePolicy policy, Map<String, String> podSysctls, boolean nativeSidecar) {
        int port = settings.agent().port();
        List<EnvVar> env = new ArrayList<>();
        TcpKeepalive inForce = inForce(policy.getSpec().getTcp(), podSysctls);
        for (Map.Entry<String, String> e : AgentConfig.forPolicy(policy, inForce, port).toEnv().entrySet()) {
            env.add(new EnvVar(e.getKey(), e.getValue(), null));
        }
        env.add(new EnvVar(JVM_OPTIONS_ENV, settings.agent().jvmOptions(), null));
        ContainerBuilder builder = base(AGENT_CONTAINER, List.of(AgentMain.MODE), resources(settings.agent()))
                .withEnv(env)
                .addNewPort().withName("keepalive-agent").withContainerPort(port).withProtocol("TCP").endPort()
                .withNewLivenessProbe()
                .withNewHttpGet().withPath("/healthz").withPort(new IntOrString(port)).endHttpGet()
                .withInitialDelaySeconds(10).withPeriodSeconds(30).withTimeoutSeconds(5).withFailureThreshold(3)
                .endLivenessProbe()
                .addNewVolumeMount().withName(AGENT_TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(settings.agent().runAsUser())
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext();
        if (nativeSidecar) {
            builder.withRestartPolicy("Always");
        }
        return builder.build();
    }

    public Volume agentTmpVolume() {
        return new VolumeBuilder().withName(AGENT_TMP_VOLUME)
                .withNewEmptyDir().withSizeLimit(new Quantity("16Mi")).endEmptyDir().build();
    }

    private ContainerBuilder base(String name, List<String> args, ResourceRequirements resources) {
        ContainerBuilder builder = new ContainerBuilder()
                .withName(name)
                .withImage(settings.image())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withArgs(args)
                .withResources(resources)
                .withTerminationMessagePolicy("FallbackToLogsOnError");
        settings.command().ifPresent(builder::withCommand);
        if (!name.equals(AGENT_CONTAINER)) {
            builder.addNewEnv().withName(JVM_OPTIONS_ENV).withValue(settings.agent().jvmOptions()).endEnv();
        }
        return builder;
    }

    private static ResourceRequirements resources(OperatorSettings.Resources r) {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(r.cpuRequest()))
                .addToRequests("memory", new Quantity(r.memoryRequest()))
                .addToLimits("cpu", new Quantity(r.cpuLimit()))
                .addToLimits("memory", new Quantity(r.memoryLimit()))
                .build();
    }
}
