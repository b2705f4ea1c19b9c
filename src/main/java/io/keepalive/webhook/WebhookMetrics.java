package io.keepalive.webhook;

import io.keepalive.rules.SkipReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * keepalive_webhook_pods_total{outcome=injected|skipped, reason, strategy},
 * keepalive_webhook_policy_conflicts_total, keepalive_webhook_review_seconds, and the requests
 * refused (keepalive_webhook_bad_requests_total) apart from the webhook's own failures
 * (keepalive_webhook_failures_total) and those turned away to bound memory and time
 * (keepalive_webhook_requests_rejected_total). Counters are looked up once per tag set, not per
 * admission.
 */
public final class WebhookMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> pods = new ConcurrentHashMap<>();
  private final Counter conflicts;
  private final Timer reviews;
  private final Counter badRequests;
  private final Counter failures;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

  public WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.conflicts =
        Counter.builder("keepalive.webhook.policy.conflicts")
            .description(
                "Injections where an older policy won over younger ones that also select the pod")
            .register(registry);
    // a histogram from 50 us, so Prometheus (histogram_quantile) and the benchmark can read the
    // webhook's own
    // p99, which is far below the 1 ms where Micrometer's default buckets start
    this.reviews =
        Timer.builder("keepalive.webhook.review")
            .description(
                "Time the webhook spends on one AdmissionReview, from its first byte to the response written")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(50_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.badRequests =
        Counter.builder("keepalive.webhook.bad.requests")
            .description(
                "Requests refused as the caller's error: a malformed AdmissionReview (400) or not JSON (415)")
            .register(registry);
    this.failures =
        Counter.builder("keepalive.webhook.failures")
            .description(
                "AdmissionReviews the webhook itself failed on (500): a bug, never the caller's fault")
            .register(registry);
  }

  public void injected(String strategy, String reason) {
    count("injected", reason, strategy);
  }

  public void skipped(SkipReason reason) {
    count("skipped", reason.name(), "none");
  }

  public void conflict() {
    conflicts.increment();
  }

  public Timer reviews() {
    return reviews;
  }

  public void badRequest() {
    badRequests.increment();
  }

  public void failed() {
    failures.increment();
  }

  /**
   * A request the server turned away to protect itself (503, or a connection closed at once): the
   * caller may retry; {@code reason} is one of a few fixed words.
   */
  public void rejected(String reason) {
    rejected
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("keepalive.webhook.requests.rejected")
                    .description(
                        "Requests or connections the webhook turned away to bound its memory and time "
                            + "(503 or closed), by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  private void count(String outcome, String reason, String strategy) {
    pods.computeIfAbsent(
            outcome + '|' + reason + '|' + strategy,
            k ->
                Counter.builder("keepalive.webhook.pods")
                    .description("Pods the webhook saw at creation, by outcome and reason")
                    .tag("outcome", outcome)
                    .tag("reason", reason)
                    .tag("strategy", strategy)
                    .register(registry))
        .increment();
  }
}
