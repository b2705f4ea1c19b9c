package io.keepalive.webhook;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.SkipReason;
import java.util.Set;
import org.jboss.logging.Logger;

/** Turns each decision into a metric, an aggregated Event on the policy, and a debug log line. */
public final class WebhookOutcomes implements AdmissionOutcomes {
  private static final Logger LOG = Logger.getLogger(WebhookOutcomes.class);
  private final WebhookMetrics metrics;
  private final PolicyEvents events;

  public WebhookOutcomes(WebhookMetrics metrics, PolicyEvents events) {
    this.metrics = metrics;
    this.events = events;
  }

  @Override
  public void record(
      String namespace, String pod, InjectionDecision decision, Set<String> podSetsSysctls) {
    if (decision instanceof InjectionDecision.Inject inject) {
      String policy = inject.policy().getMetadata().getName();
      String strategy = inject.strategy().name();
      String reason = podSetsSysctls.isEmpty() ? "Injected" : "PodSetsSysctl";
      metrics.injected(strategy, reason);
      events.record(
          inject.policy(),
          "Injected",
          false,
          "injected policy " + policy + " with strategy " + strategy + " (last pod: " + pod + ")");
      if (!podSetsSysctls.isEmpty()) {
        events.record(
            inject.policy(),
            "PodSetsSysctl",
            true,
            "pod "
                + pod
                + " sets "
                + podSetsSysctls
                + " itself; its values stay and the policy's are not applied for those");
      }
      for (KeepalivePolicy loser : inject.overruled()) {
        metrics.conflict();
        events.record(
            loser,
            SkipReason.LostConflict.name(),
            false,
            "pod "
                + pod
                + " is also selected by "
                + "the older policy "
                + policy
                + ", which applies instead");
      }
      LOG.debugf("%s/%s: injected %s (%s)", namespace, pod, policy, strategy);
    } else if (decision instanceof InjectionDecision.Skip skip) {
      metrics.skipped(skip.reason());
      skip.policy()
          .ifPresent(
              p ->
                  events.record(
                      p,
                      skip.reason().name(),
                      skip.reason().warning(),
                      "skipped pod " + pod + ": " + skip.detail()));
      LOG.debugf("%s/%s: skipped, %s: %s", namespace, pod, skip.reason(), skip.detail());
    }
  }
}
