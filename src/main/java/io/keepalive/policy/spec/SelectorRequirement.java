package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One requirement of a {@link PodSelector}, with the rules Kubernetes applies to its own. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",
    fieldPath = ".values",
    reason = "FieldValueRequired",
    message = "values must be specified when operator is In or NotIn")
@ValidationRule(
    value =
        "!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0",
    fieldPath = ".values",
    reason = "FieldValueForbidden",
    message = "values may not be specified when operator is Exists or DoesNotExist")
@ValidationRule(
    value = "!self.key.contains('/') || self.key.indexOf('/') <= 253",
    fieldPath = ".key",
    reason = "FieldValueInvalid",
    message = "the prefix of a label key (before '/') is at most 253 characters")
public class SelectorRequirement {
  /** A label key: an optional DNS subdomain and '/', then a name of at most 63 characters. */
  public static final String LABEL_KEY =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";

  /** A label value: empty, or at most 63 characters starting and ending alphanumeric. */
  public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

  /** The operators of a Kubernetes label selector. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist;

    /**
     * An operator a policy stored before this rule could still carry reads as null (the selector is
     * then invalid and selects nothing) instead of failing to read the policy, and with it every
     * policy the informer lists.
     */
    @JsonCreator
    public static Operator of(String name) {
      for (Operator operator : values()) {
        if (operator.name().equals(name)) {
          return operator;
        }
      }
      return null;
    }
  }

  @Required
  @Size(max = 317)
  @Pattern(LABEL_KEY_PATTERN)
  @JsonPropertyDescription("The label key the requirement is about.")
  private String key;

  @Required
  @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.")
  private Operator operator;

  @Size(max = 64)
  @JsonPropertyDescription(
      "The values for In and NotIn (at least one); empty for Exists and DoesNotExist.")
  private List<@Size(max = 63) @Pattern(LABEL_VALUE) String> values;

  /** {@link #LABEL_KEY} as a regular expression (the CEL string literal escapes its backslash). */
  public static final String LABEL_KEY_PATTERN =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$";

  public SelectorRequirement() {}

  public SelectorRequirement(String key, Operator operator, List<String> values) {
    this.key = key;
    this.operator = operator;
    this.values = values;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public Operator getOperator() {
    return operator;
  }

  public void setOperator(Operator operator) {
    this.operator = operator;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }
}
