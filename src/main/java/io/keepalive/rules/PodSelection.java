package io.keepalive.rules;

import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.SelectorRequirement;
import io.keepalive.policy.spec.SelectorRequirement.Operator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Standard label-selector semantics, as the API server applies them. An empty selector selects
 * everything; an invalid one selects nothing, and never throws: the API server refuses invalid
 * selectors, but a policy stored before it did (an older CRD) must not break the webhook or the
 * status of the other policies of its namespace.
 */
public final class PodSelection {
  private static final Pattern LABEL_KEY = Pattern.compile(SelectorRequirement.LABEL_KEY_PATTERN);
  private static final Pattern LABEL_VALUE = Pattern.compile(SelectorRequirement.LABEL_VALUE);

  private PodSelection() {}

  public static boolean selects(PodSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false; // the CRD requires a selector; a missing one must never mean "all pods"
    }
    Map<String, String> podLabels = labels == null ? Map.of() : labels;
    Map<String, String> matchLabels = selector.getMatchLabels();
    if (matchLabels != null) {
      for (var wanted : matchLabels.entrySet()) {
        if (wanted.getValue() == null
            || !wanted.getValue().equals(podLabels.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    List<SelectorRequirement> expressions = selector.getMatchExpressions();
    if (expressions != null) {
      for (var requirement : expressions) {
        if (requirement == null || !satisfies(requirement, podLabels)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean satisfies(SelectorRequirement requirement, Map<String, String> labels) {
    if (requirement.getKey() == null || requirement.getOperator() == null) {
      return false;
    }
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case In -> !values.isEmpty() && value != null && values.contains(value);
      case NotIn -> !values.isEmpty() && (value == null || !values.contains(value));
      case Exists -> values.isEmpty() && value != null;
      case DoesNotExist -> values.isEmpty() && value == null;
    };
  }

  /**
   * What is wrong with a selector, in the API server's words (the CRD's rules say the same); empty
   * when it is valid. The status of a policy stored with an invalid selector says this.
   */
  public static Optional<String> problem(PodSelector selector) {
    if (selector == null) {
      return Optional.of("spec.selector: Required value");
    }
    if (selector.getMatchLabels() != null) {
      for (var label : selector.getMatchLabels().entrySet()) {
        String at = "spec.selector.matchLabels[" + shown(label.getKey()) + "]";
        Optional<String> key = keyProblem(at, label.getKey());
        if (key.isPresent()) {
          return key;
        }
        if (label.getValue() == null) {
          return Optional.of(at + ": the value must be a string, not null");
        }
        Optional<String> value = valueProblem(at, label.getValue());
        if (value.isPresent()) {
          return value;
        }
      }
    }
    List<SelectorRequirement> expressions = selector.getMatchExpressions();
    for (int i = 0; expressions != null && i < expressions.size(); i++) {
      String at = "spec.selector.matchExpressions[" + i + "]";
      SelectorRequirement requirement = expressions.get(i);
      if (requirement == null) {
        return Optional.of(at + ": must be an object, not null");
      }
      Optional<String> key = keyProblem(at + ".key", requirement.getKey());
      if (key.isPresent()) {
        return key;
      }
      Operator operator = requirement.getOperator();
      if (operator == null) {
        return Optional.of(
            at + ".operator: Unsupported value: supported values: In, NotIn, Exists, DoesNotExist");
      }
      List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
      boolean needsValues = operator == Operator.In || operator == Operator.NotIn;
      if (needsValues && values.isEmpty()) {
        return Optional.of(
            at + ".values: Required value: values must be specified when operator is In or NotIn");
      }
      if (!needsValues && !values.isEmpty()) {
        return Optional.of(
            at
                + ".values: Forbidden: values may not be specified when operator is Exists or"
                + " DoesNotExist");
      }
      for (int v = 0; v < values.size(); v++) {
        String vat = at + ".values[" + v + "]";
        if (values.get(v) == null) {
          return Optional.of(vat + ": must be a string, not null");
        }
        Optional<String> value = valueProblem(vat, values.get(v));
        if (value.isPresent()) {
          return value;
        }
      }
    }
    return Optional.empty();
  }

  private static String shown(String key) {
    return key.length() <= 63 ? key : key.substring(0, 63) + "...";
  }

  private static Optional<String> keyProblem(String at, String key) {
    if (key == null) {
      return Optional.of(at + ": Required value");
    }
    int slash = key.indexOf('/');
    if (key.length() > 317 || slash > 253 || !LABEL_KEY.matcher(key).matches()) {
      return Optional.of(
          at
              + ": Invalid value: a label key is an optional DNS subdomain prefix of at most 253"
              + " characters and '/', then a name of at most 63 alphanumeric characters, '-', '_'"
              + " or '.', starting and ending with an alphanumeric character");
    }
    return Optional.empty();
  }

  private static Optional<String> valueProblem(String at, String value) {
    if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
      return Optional.of(
          at
              + ": Invalid value: a label value is empty or at most 63 alphanumeric characters,"
              + " '-', '_' or '.', starting and ending with an alphanumeric character");
    }
    return Optional.empty();
  }
}
