package io.keepalive.rules;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Standard label-selector semantics, as the API server applies them. An empty selector selects
 * everything.
 */
public final class PodSelection {
  private PodSelection() {}

  public static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false; // the CRD requires a selector; a missing one must never mean "all pods"
    }
    Map<String, String> podLabels = labels == null ? Map.of() : labels;
    Map<String, String> matchLabels = selector.getMatchLabels();
    if (matchLabels != null) {
      for (var wanted : matchLabels.entrySet()) {
        if (!wanted.getValue().equals(podLabels.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    if (expressions != null) {
      for (var requirement : expressions) {
        if (!satisfies(requirement, podLabels)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean satisfies(
      LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false; // unknown operators select nothing rather than everything
    };
  }
}
