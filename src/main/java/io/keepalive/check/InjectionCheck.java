package io.keepalive.check;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.PodSecurity;
import io.keepalive.rules.PodSelection;
import io.keepalive.rules.SkipReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * "Why is my pod not injected?", answered with the webhook's own decision: would the API server
 * call the webhook for the pod (the registration's selectors against the pod's and its namespace's
 * labels), what the webhook decides and why, and, for a pod that exists, what it carries now. Pure:
 * the command gathers the inputs.
 *
 * @param lines what to print, one finding a line
 * @param injected whether the pod has (or a new one like it gets) the policy's current generation
 */
public record InjectionCheck(List<String> lines, boolean injected) {

  /**
   * @param registration the webhook the operator registered; empty when there is none
   * @param existing whether the pod exists (then its annotations say what it carries)
   */
  public static InjectionCheck of(
      Pod pod,
      String namespace,
      Optional<Map<String, String>> namespaceLabels,
      List<KeepalivePolicy> policies,
      Optional<MutatingWebhook> registration,
      PodSecurity.Level defaultLevel,
      ClusterFacts cluster,
      boolean existing) {
    List<String> lines = new ArrayList<>();
    boolean called = called(pod, namespace, namespaceLabels, registration, lines);
    InjectionDecision decision =
        InjectionDecision.decide(
            pod, namespace, () -> namespaceLabels, policies, defaultLevel, cluster);
    boolean injected = false;
    if (decision instanceof InjectionDecision.Inject inject) {
      lines.add(
          "decision: inject policy "
              + inject.policy().getMetadata().getName()
              + " (generation "
              + inject.policy().getMetadata().getGeneration()
              + ", strategy "
              + inject.strategy()
              + ")"
              + (inject.overruled().isEmpty()
                  ? ""
                  : "; it wins over the younger "
                      + inject.overruled().stream().map(p -> p.getMetadata().getName()).toList()));
      injected = called && !existing;
      if (existing) {
        lines.add(
            "now:      the pod carries nothing: it was created before the policy or while the "
                + "webhook was not called; recreate it (e.g. kubectl rollout restart)");
      }
    } else if (decision instanceof InjectionDecision.Skip skip) {
      if (skip.reason() == SkipReason.AlreadyInjected) {
        injected = carries(pod, policies, lines);
      } else {
        lines.add("decision: skip, " + skip.reason() + ": " + skip.detail());
      }
    }
    return new InjectionCheck(List.copyOf(lines), injected);
  }

  /** Whether the API server calls the webhook for this pod; says why not. */
  private static boolean called(
      Pod pod,
      String namespace,
      Optional<Map<String, String>> namespaceLabels,
      Optional<MutatingWebhook> registration,
      List<String> lines) {
    if (registration.isEmpty()) {
      lines.add(
          "webhook:  not registered: no pod is injected (is the operator installed, with "
              + "webhook.enabled, and has it started?)");
      return false;
    }
    MutatingWebhook webhook = registration.get();
    Map<String, String> nsLabels = new HashMap<>(namespaceLabels.orElse(Map.of()));
    // the API server sets it on every namespace; selectors may use it before the namespace exists
    nsLabels.putIfAbsent("kubernetes.io/metadata.name", namespace);
    Optional<String> namespaceMiss = firstMiss(webhook.getNamespaceSelector(), nsLabels);
    Map<String, String> podLabels =
        pod.getMetadata() == null || pod.getMetadata().getLabels() == null
            ? Map.of()
            : pod.getMetadata().getLabels();
    Optional<String> podMiss = firstMiss(webhook.getObjectSelector(), podLabels);
    if (namespaceMiss.isPresent()) {
      lines.add(
          "webhook:  not called: the registration's namespaceSelector leaves namespace "
              + namespace
              + " out ("
              + namespaceMiss.get()
              + ")");
      return false;
    }
    if (podMiss.isPresent()) {
      lines.add(
          "webhook:  not called: the registration's objectSelector leaves the pod out ("
              + podMiss.get()
              + ")");
      return false;
    }
    int conditions = webhook.getMatchConditions() == null ? 0 : webhook.getMatchConditions().size();
    lines.add(
        "webhook:  called: the registration selects the namespace and the pod"
            + (conditions == 0
                ? ""
                : " (and "
                    + conditions
                    + " matchConditions, CEL the API server evaluates, not checked here)")
            + "; failurePolicy "
            + webhook.getFailurePolicy());
    return true;
  }

  /** The first part of a selector the labels do not satisfy, in the selector's own words. */
  static Optional<String> firstMiss(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return Optional.empty();
    }
    if (selector.getMatchLabels() != null) {
      for (var wanted : selector.getMatchLabels().entrySet()) {
        if (!Objects.equals(wanted.getValue(), labels.get(wanted.getKey()))) {
          return Optional.of(wanted.getKey() + "=" + wanted.getValue() + " is required");
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!PodSelection.selects(PodSelector.from(new LabelSelector(List.of(r), null)), labels)) {
          return Optional.of(
              r.getKey()
                  + " "
                  + r.getOperator()
                  + (r.getValues() == null || r.getValues().isEmpty() ? "" : " " + r.getValues())
                  + ", and it is "
                  + (labels.containsKey(r.getKey())
                      ? "\"" + labels.get(r.getKey()) + "\""
                      : "not set"));
        }
      }
    }
    return Optional.empty();
  }

  /** What an injected pod carries, against the policy's current generation. */
  private static boolean carries(Pod pod, List<KeepalivePolicy> policies, List<String> lines) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String name = annotations.get(PodMarks.POLICY_ANNOTATION);
    String generation = annotations.get(PodMarks.GENERATION_ANNOTATION);
    String strategy = annotations.get(PodMarks.STRATEGY_ANNOTATION);
    lines.add(
        "now:      injected with policy "
            + name
            + " generation "
            + generation
            + " (strategy "
            + strategy
            + ")");
    Optional<KeepalivePolicy> current =
        policies.stream().filter(p -> Objects.equals(name, p.getMetadata().getName())).findFirst();
    if (current.isEmpty()) {
      lines.add("          policy " + name + " no longer exists; the pod keeps its values");
      return false;
    }
    String now = String.valueOf(current.get().getMetadata().getGeneration());
    if (!now.equals(generation)) {
      lines.add(
          "          the policy is at generation "
              + now
              + ": recreate the pod to apply it (e.g. kubectl rollout restart)");
      return false;
    }
    return true;
  }
}
