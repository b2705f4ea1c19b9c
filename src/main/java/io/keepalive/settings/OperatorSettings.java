package io.keepalive.settings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Every operator setting, in one place (prefix {@code keepalive}, env {@code KEEPALIVE_...}). Users
 * choose policies; only the cluster admin who installs the operator chooses images, commands and
 * privileges.
 */
@ConfigMapping(prefix = "keepalive")
public interface OperatorSettings {

  /**
   * Namespaces whose policies are reconciled; empty means all. Feeds the controller's namespaces.
   */
  Optional<List<String>> watchNamespaces();

  /**
   * Namespace the operator runs in (its Secret, its own pods); from the downward API in a cluster.
   */
  @WithDefault("keepalive-system")
  String namespace();

  /**
   * The image injected as init container and sidecar: the operator's own image, never a policy's
   * choice.
   */
  @WithDefault("ghcr.io/keepalive-io/keepalive-operator:0.1.0")
  String image();

  @WithDefault("IfNotPresent")
  String imagePullPolicy();

  /**
   * Command of the injected containers; empty uses the image's entrypoint. The mode (agent,
   * apply-sysctls) and its flags go in as args. Never taken from a policy: tenants must not choose
   * what runs privileged.
   */
  Optional<List<String>> command();

  /** The privileged init container of the InitContainer strategy. */
  Resources initContainer();

  /** The observing sidecar. */
  Agent agent();

  /** The mutating admission webhook. */
  Webhook webhook();

  /**
   * Leader election among replicas: the holder of the Lease in the operator's namespace reconciles;
   * every replica serves the webhook.
   */
  LeaderElection leaderElection();

  /** Restarting the workloads of policies with spec.rollout Automatic. */
  Rollout rollout();

  interface Rollout {
    /**
     * The operator has the rights to read and restart workloads (the chart's rollout.enabled grants
     * them). Off: policies with spec.rollout Automatic say so on their status and nothing is
     * restarted.
     */
    @WithDefault("false")
    boolean enabled();

    /** Workloads of one policy whose rollouts run at the same time. */
    @WithDefault("1")
    int workloadsAtOnce();

    /**
     * Seconds a restarted workload may take to roll out before the rollout counts as stalled (a
     * Deployment that exceeds its own progressDeadlineSeconds stalls earlier).
     */
    @WithDefault("600")
    int progressDeadlineSeconds();
  }

  interface LeaderElection {
    /** Off: this replica reconciles alone (one replica, or tests). */
    @WithDefault("true")
    boolean enabled();

    /** Seconds a Lease is valid without renewal. */
    @WithDefault("15")
    int leaseDurationSeconds();

    /** Seconds the leader tries to renew before it gives up leading. */
    @WithDefault("10")
    int renewDeadlineSeconds();

    /** Seconds between attempts to take or renew the Lease. */
    @WithDefault("2")
    int retryPeriodSeconds();
  }

  /**
   * Pull secrets (names) added to every pod that gets containers injected, for a private mirror of
   * the injected image. They must exist in the pod's namespace; the pod's own pull secrets stay.
   */
  Optional<List<String>> imagePullSecrets();

  interface Resources {
    @WithDefault("10m")
    String cpuRequest();

    @WithDefault("32Mi")
    String memoryRequest();

    /**
     * {@value #NO_LIMIT}: no CPU limit (the container may use idle CPU; its request still reserves
     * its share). An empty value cannot say that: configuration treats it as unset.
     */
    @WithDefault("100m")
    String cpuLimit();

    String NO_LIMIT = "none";

    @WithDefault("64Mi")
    String memoryLimit();
  }

  interface Agent extends Resources {
    /** Port of the agent's /status, /metrics and /healthz. */
    @WithDefault("9901")
    int port();

    /** How often the operator collects the agents' /status for a policy's status. */
    @WithDefault("30")
    int collectIntervalSeconds();

    /**
     * JVM flags of the injected containers, passed as JAVA_TOOL_OPTIONS (every JVM reads it,
     * whatever the launcher script). Small heap and serial GC: the agent observes, it must not
     * compete with the workload.
     */
    // the flags bench/results/agent.md measures (RSS 1.08x a bare Vert.x HTTP process);
    // docs/agent.md explains each
    @WithDefault(
        "-XX:+UseSerialGC -Xms8m -Xmx32m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 "
            + "-XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=48m -XX:MaxDirectMemorySize=16m -XX:-UsePerfData "
            + "-Dio.netty.allocator.type=unpooled -Dvertx.disableDnsResolver=true")
    String jvmOptions();

    /**
     * UID the agent runs as (Pod Security restricted needs non-root; the image may default to
     * root).
     */
    @WithDefault("65532")
    long runAsUser();

    @Override
    @WithDefault("96Mi")
    String memoryRequest();

    @Override
    @WithDefault("128Mi")
    String memoryLimit();
  }

  interface Webhook {
    @WithDefault("true")
    boolean enabled();

    /** HTTPS port the API server calls. */
    @WithDefault("8443")
    int port();

    @WithDefault("/mutate-pods")
    String path();

    /** Name of the MutatingWebhookConfiguration the operator keeps current (caBundle). */
    @WithDefault("keepalive-operator")
    String configurationName();

    /**
     * Create/update the MutatingWebhookConfiguration itself; off when Helm or an admin manages it.
     */
    @WithDefault("true")
    boolean manageConfiguration();

    /**
     * Ignore keeps pod creation working while the operator is down; Fail makes injection mandatory.
     */
    @WithDefault("Ignore")
    String failurePolicy();

    @WithDefault("5")
    int timeoutSeconds();

    /** In-cluster: the Service the API server calls. */
    @WithDefault("keepalive-operator-webhook")
    String serviceName();

    /** Outside a cluster (local control plane, tests): call this URL instead of the Service. */
    Optional<String> url();

    /**
     * Opt-in: the API server calls the webhook only for namespaces labelled
     * keepalive.io/inject=true (and the status counts pods of other namespaces as opted out). Off:
     * every namespace but the excluded ones and those labelled keepalive.io/inject=false.
     */
    @WithDefault("false")
    boolean optIn();

    /**
     * A label selector (JSON) ANDed with the registration's own namespaceSelector: its matchLabels
     * are added, its matchExpressions come after the registration's.
     */
    Optional<String> namespaceSelector();

    /** A label selector (JSON) ANDed with the registration's own objectSelector, likewise. */
    Optional<String> objectSelector();

    /**
     * matchConditions (JSON list of {name, expression}): CEL the API server evaluates before it
     * calls the webhook (Kubernetes >= 1.30, beta in 1.28-1.29), to send it fewer pods.
     */
    Optional<String> matchConditions();

    /** Secret in the operator's namespace holding the self-managed CA and serving certificate. */
    @WithDefault("keepalive-operator-webhook-tls")
    String secretName();

    /** Port of the webhook Service (it targets {@link #port()} on the operator's pods). */
    @WithDefault("443")
    int servicePort();

    /**
     * The Pod Security level the API server enforces on namespaces without an enforce label. The
     * admission configuration can set a cluster-wide default the webhook cannot see; tell it here
     * (privileged is the Kubernetes default).
     */
    @WithDefault("privileged")
    String podSecurityDefaultEnforce();

    /** Days a self-managed serving certificate is valid; renewed when less than a third is left. */
    @WithDefault("365")
    int certificateValidityDays();

    /**
     * A directory with tls.crt, tls.key (and ca.crt) from cert-manager; when set, no CA is
     * generated.
     */
    Optional<String> certificateDir();

    /**
     * A PEM file of the CAs whose client certificates the webhook accepts. When set, a caller
     * without such a certificate is refused during the TLS handshake: only an API server that
     * presents one (its AdmissionConfiguration names a kubeconfig for the webhook) is served.
     */
    Optional<String> clientCaFile();
  }
}
