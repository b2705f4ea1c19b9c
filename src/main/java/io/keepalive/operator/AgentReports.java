package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;

/**
 * Collects what the sidecar agents of a policy's pods observe and judges it. Until agents report, it judges
 * nothing (null verdict) and the status says only what the API server knows.
 */
@ApplicationScoped
public class AgentReports {
    private final OperatorSettings settings;

    public AgentReports(OperatorSettings settings) {
        this.settings = settings;
    }

    public PolicyStatusBuilder.AgentVerdict verdict(KeepalivePolicy policy, List<Pod> applicablePods) {
        return null;
    }

    public boolean enabledFor(KeepalivePolicy policy) {
        return false;
    }

    public Duration interval() {
        return Duration.ofSeconds(settings.agent().collectIntervalSeconds());
    }
}
