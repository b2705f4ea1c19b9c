package io.keepalive.webhook;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.SkipReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Turns each decision into a metric (what the webhook answered), an Event on the policy (once the
 * pod exists: {@link PolicyEvents}), and a debug log line.
 */
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
    List<PolicyEvents.Planned> planned = new ArrayList<>();
    if (decision instanceof InjectionDecision.Inject inject) {
      String policy = inject.policy().getMetadata().getName();
      String strategy = inject.strategy().name();
      String reason = podSetsSysctls.isEmpty() ? "Injected" : "PodSetsSysctl";
      metrics.injected(strategy, reason);
      planned.add(
          new PolicyEvents.Planned(
              inject.policy(),
              "Injected",
              false,
              name ->
                  "injected policy "
                      + policy
                      + " with strategy "
                      + strategy
                      + " (last pod: "
                      + name
                      + ")"));
      if (!podSetsSysctls.isEmpty()) {
        planned.add(
            new PolicyEvents.Planned(
                inject.policy(),
                "PodSetsSysctl",
                true,
                name ->
                    "pod "
                        + name
                        + " sets "
                        + podSetsSysctls
                        + " itself; its values stay and the policy's are not applied for those"));
      }
      for (KeepalivePolicy loser : inject.overruled()) {
        metrics.conflict();
        planned.add(
            new PolicyEvents.Planned(
                loser,
                SkipReason.LostConflict.name(),
                false,
                name ->
                    "pod "
                        + name
                        + " is also selected by the older policy "
                        + policy
                        + ", which applies instead"));
      }
      LOG.debugf("%s/%s: injected %s (%s)", namespace, pod, policy, strategy);
      events.expect(namespace, pod, true, planned);
    } else if (decision instanceof InjectionDecision.Skip skip) {
      metrics.skipped(skip.reason());
      skip.policy()
          .ifPresent(
              p ->
                  planned.add(
                      new PolicyEvents.Planned(
                          p,
                          skip.reason().name(),
                          skip.reason().warning(),
                          name -> "skipped pod " + name + ": " + skip.detail())));
      LOG.debugf("%s/%s: skipped, %s: %s", namespace, pod, skip.reason(), skip.detail());
      events.expect(namespace, pod, false, planned);
    }
  }
}
