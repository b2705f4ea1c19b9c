package io.keepalive.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * Every operator setting, in one place (prefix {@code keepalive}, env {@code KEEPALIVE_...}). Users choose
 * policies; only the cluster admin who installs the operator chooses images, commands and privileges.
 */
@ConfigMapping(prefix = "keepalive")
public interface OperatorSettings {

    /** Namespaces whose policies are reconciled; empty means all. Feeds the controller's namespaces. */
    Optional<List<String>> watchNamespaces();

    /** Namespace the operator runs in (its Secret, its own pods); from the downward API in a cluster. */
    @WithDefault("keepalive-system")
    String namespace();

    /** The image injected as init container and sidecar: the operator's own image, never a policy's choice. */
    @WithDefault("ghcr.io/keepalive-io/keepalive-operator:0.1.0")
    String image();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /** The privileged init container of the InitContainer strategy. */
    Resources initContainer();

    /** The observing sidecar. */
    Agent agent();

    /** The mutating admission webhook. */
    Webhook webhook();

    interface Resources {
        @WithDefault("10m")
        String cpuRequest();

        @WithDefault("32Mi")
        String memoryRequest();

        @WithDefault("100m")
        String cpuLimit();

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

        /** Create/update the MutatingWebhookConfiguration itself; off when Helm or an admin manages it. */
        @WithDefault("true")
        boolean manageConfiguration();

        /** Ignore keeps pod creation working while the operator is down; Fail makes injection mandatory. */
        @WithDefault("Ignore")
        String failurePolicy();

        @WithDefault("5")
        int timeoutSeconds();

        /** In-cluster: the Service the API server calls. */
        @WithDefault("keepalive-operator-webhook")
        String serviceName();

        /** Outside a cluster (local control plane, tests): call this URL instead of the Service. */
        Optional<String> url();

        /** Secret in the operator's namespace holding the self-managed CA and serving certificate. */
        @WithDefault("keepalive-operator-webhook-tls")
        String secretName();

        /** A directory with tls.crt, tls.key (and ca.crt) from cert-manager; when set, no CA is generated. */
        Optional<String> certificateDir();
    }
}
