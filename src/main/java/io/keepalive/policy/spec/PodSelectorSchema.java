package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/**
 * The schema of spec.selector: a standard label selector, described field by field for {@code
 * kubectl explain}. The policy holds fabric8's LabelSelector, which has these fields.
 */
public class PodSelectorSchema {
  @JsonPropertyDescription("Labels a pod must carry, every one of them (key: value).")
  public Map<String, String> matchLabels;

  @JsonPropertyDescription("Requirements on the pod's labels; a pod must meet every one.")
  public List<Requirement> matchExpressions;

  /** One requirement of matchExpressions. */
  public static class Requirement {
    @JsonPropertyDescription("The label key the requirement is about.")
    public String key;

    @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.")
    public String operator;

    @JsonPropertyDescription(
        "The values for In and NotIn (at least one); empty for Exists and DoesNotExist.")
    public List<String> values;
  }
}
