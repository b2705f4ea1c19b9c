package io.keepalive.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The framework's reconciliation metrics, per controller only. Its default keeps some 75 series per
 * policy (timers and counters tagged with the policy's name and namespace) and, for a reconciler
 * without a cleaner, never removes them: metrics that grow with every policy ever created, until
 * the scrape is too large to take. The policy's own status says what is known about one policy.
 */
public class ReconcilerMetrics {
  @Produces
  @Singleton
  Metrics metrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }
}
