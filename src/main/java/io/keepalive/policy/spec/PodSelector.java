package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A standard label selector, validated at the API server as Kubernetes validates its own (label
 * keys and values, operators, values for In and NotIn only), so that a selector that would select
 * something else than it says never gets stored. One rule the generated schema cannot state: a
 * label value must be a string; the API server would otherwise drop {@code app: null} silently and
 * the selector would select every pod ({@link io.keepalive.policy.PolicyCrd} keeps the null for
 * this rule to see).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.matchLabels) || self.matchLabels.all(k, type(self.matchLabels[k]) == string)",
    fieldPath = ".matchLabels",
    reason = "FieldValueInvalid",
    message =
        "every matchLabels value must be a string: the API server drops a null value, and the "
            + "selector would then select more pods than it says (write \"\" for a label with an "
            + "empty value)")
@ValidationRule(
    value =
        "!has(self.matchLabels) || self.matchLabels.all(k, size(k) <= 317 && k.matches('"
            + SelectorRequirement.LABEL_KEY
            + "') && (!k.contains('/') || k.indexOf('/') <= 253))",
    fieldPath = ".matchLabels",
    reason = "FieldValueInvalid",
    message =
        "every matchLabels key must be a label key: an optional DNS subdomain prefix of at most 253"
            + " characters and '/', then a name of at most 63 alphanumeric characters, '-', '_' or"
            + " '.', starting and ending with an alphanumeric character")
public class PodSelector {
  @Size(max = 64)
  @JsonPropertyDescription("Labels a pod must carry, every one of them (key: value).")
  private Map<String, @Size(max = 63) @Pattern(SelectorRequirement.LABEL_VALUE) String> matchLabels;

  @Size(max = 64)
  @JsonPropertyDescription("Requirements on the pod's labels; a pod must meet every one.")
  private List<SelectorRequirement> matchExpressions;

  public PodSelector() {}

  public PodSelector(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels == null ? null : new LinkedHashMap<>(matchLabels);
  }

  public Map<String, String> getMatchLabels() {
    return matchLabels;
  }

  public void setMatchLabels(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels;
  }

  public List<SelectorRequirement> getMatchExpressions() {
    return matchExpressions;
  }

  public void setMatchExpressions(List<SelectorRequirement> matchExpressions) {
    this.matchExpressions = matchExpressions;
  }

  /** The same selector, from the Kubernetes model (a webhook registration's, say). */
  public static PodSelector from(LabelSelector selector) {
    PodSelector from = new PodSelector(selector.getMatchLabels());
    if (selector.getMatchExpressions() != null) {
      selector
          .getMatchExpressions()
          .forEach(
              r ->
                  from.with(
                      new SelectorRequirement(
                          r.getKey(),
                          SelectorRequirement.Operator.of(r.getOperator()),
                          r.getValues())));
    }
    return from;
  }

  /** Adds a requirement (tests and examples). */
  public PodSelector with(SelectorRequirement requirement) {
    if (matchExpressions == null) {
      matchExpressions = new ArrayList<>();
    }
    matchExpressions.add(requirement);
    return this;
  }
}
