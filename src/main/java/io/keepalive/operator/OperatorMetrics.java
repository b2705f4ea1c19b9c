package io.keepalive.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's own metrics: build info, leader status and the per-policy gauges ({@link
 * PolicyMetrics}); and the Java Operator SDK's metrics without its per-resource series, which carry
 * every policy's name and namespace and outlive deleted policies. The SDK's per-controller series
 * (reconciliations, failures, timings) stay.
 */
@Singleton
public class OperatorMetrics {
  private final PolicyMetrics policies = new PolicyMetrics();

  OperatorMetrics(
      MeterRegistry registry,
      Instance<PrometheusMeterRegistry> prometheus,
      LeaderElection leadership,
      @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
          String version) {
    Gauge.builder("keepalive.operator.build.info", () -> 1)
        .description("Always 1; the version label is the operator's version")
        .tag("version", version)
        .tag("java_version", System.getProperty("java.version"))
        .register(registry);
    // without leader election (turned off, or tests) this replica leads from the start
    Gauge.builder("keepalive.operator.leader", leadership, l -> l.leading() ? 1 : 0)
        .description(
            "1 when this replica holds the leader Lease and reconciles policies, else 0 (every "
                + "replica serves the webhook)")
        .register(registry);
    if (prometheus.isResolvable()) {
      prometheus.get().getPrometheusRegistry().register(policies);
    }
  }

  PolicyMetrics policies() {
    return policies;
  }

  @Produces
  @Singleton
  static Metrics operatorSdkMetrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }
}
