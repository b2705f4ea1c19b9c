package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicyStatus;
import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Per-policy gauges, written at scrape time from the statuses in the operator's own cache of
 * policies: exactly the policies that exist now, with the status the API shows. A deleted policy
 * has no series at the next scrape, so nothing has to be removed and the series stay bounded by the
 * number of policies. Conditions with status Unknown have no series (never NaN).
 */
public final class PolicyMetrics extends Collector {
  private static final List<String> POLICY = List.of("namespace", "policy");
  private volatile Supplier<Stream<KeepalivePolicy>> policies = Stream::empty;

  /** Reads the policies from here from now on (the reconciler's cache, once it has one). */
  public void readFrom(Supplier<Stream<KeepalivePolicy>> policies) {
    this.policies = policies;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    GaugeMetricFamily matched =
        gauge(
            "keepalive_policy_matched_pods",
            "Pods of the namespace the policy's selector matches (status.matchedPods)");
    GaugeMetricFamily injected =
        gauge(
            "keepalive_policy_injected_pods",
            "Matched pods that carry the policy's current generation (status.injectedPods)");
    GaugeMetricFamily reporting =
        gauge(
            "keepalive_policy_reporting_pods",
            "Pods whose agent answered the operator on its last round "
                + "(status.observed.podsReporting)");
    GaugeMetricFamily inSync =
        gauge(
            "keepalive_policy_in_sync_pods",
            "Reporting pods whose keepalive sysctls in force are the desired ones "
                + "(status.observed.podsInSync)");
    GaugeMetricFamily conditions =
        new GaugeMetricFamily(
            "keepalive_policy_condition",
            "1 when the policy's condition of this type is True, 0 when False; no series while "
                + "Unknown. Types: Ready, Conflict, AgentsReporting, Drifted, RolledOut",
            List.of("namespace", "policy", "type"));
    Stream<KeepalivePolicy> known;
    try {
      known = policies.get();
    } catch (RuntimeException e) {
      // a replica that does not lead may have no cache to read: no policy series, never a failed
      // scrape
      known = Stream.empty();
    }
    known.forEach(
        policy -> {
          KeepalivePolicyStatus status = policy.getStatus();
          if (status == null) {
            return;
          }
          List<String> id =
              List.of(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
          add(matched, id, status.getMatchedPods());
          add(injected, id, status.getInjectedPods());
          if (status.getObserved() != null) {
            add(reporting, id, status.getObserved().getPodsReporting());
            add(inSync, id, status.getObserved().getPodsInSync());
          } else if (status.condition(ConditionTypes.AGENTS_REPORTING) != null) {
            // agents are asked (the condition is there) and none answered: known to be 0
            add(reporting, id, 0);
            add(inSync, id, 0);
          }
          forEachKnown(
              status,
              c -> {
                List<String> labels = new ArrayList<>(id);
                labels.add(c.getType());
                conditions.addMetric(labels, "True".equals(c.getStatus()) ? 1 : 0);
              });
        });
    return List.of(matched, injected, reporting, inSync, conditions);
  }

  private static void forEachKnown(KeepalivePolicyStatus status, Consumer<Condition> action) {
    if (status.getConditions() == null) {
      return;
    }
    status.getConditions().stream()
        .filter(c -> "True".equals(c.getStatus()) || "False".equals(c.getStatus()))
        .forEach(action);
  }

  private static GaugeMetricFamily gauge(String name, String help) {
    return new GaugeMetricFamily(name, help, POLICY);
  }

  private static void add(GaugeMetricFamily family, List<String> labels, Integer value) {
    if (value != null) {
      family.addMetric(labels, value);
    }
  }
}
