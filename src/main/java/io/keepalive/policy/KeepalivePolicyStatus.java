package io.keepalive.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import io.keepalive.policy.status.ObservedHealth;
import io.keepalive.policy.status.PolicyCondition;
import io.keepalive.policy.status.RolloutProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator found, following the Kubernetes API conventions: the generation it looked at,
 * counts, and conditions with a reason and a message a person can act on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeepalivePolicyStatus {

  @JsonPropertyDescription("The metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Pods of the namespace the selector matches (this policy's or not, see the Conflict condition).")
  private Integer matchedPods;

  @JsonPropertyDescription("Matched pods that carry this policy's current generation.")
  private Integer injectedPods;

  @JsonPropertyDescription(
      "Ready, Conflict, AgentsReporting, Drifted and (with spec.rollout Automatic) RolledOut "
          + "conditions, at most one of each type.")
  @SchemaFrom(type = PolicyCondition[].class)
  @Size(max = 8)
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("What the sidecar agents of the matched pods observe, summed up.")
  private ObservedHealth observed;

  @Size(max = 10)
  @JsonPropertyDescription(
      "Values to set, one line each, from what the agents measured (idle-timeout discovery, the "
          + "servers' idle timeouts, the sockets' keepalive timers): the field, the value, and "
          + "why. Absent when there is nothing to change.")
  private List<String> recommendations;

  @JsonPropertyDescription(
      "Progress of restarting the workloads whose pods run without this policy's generation "
          + "(spec.rollout Automatic only).")
  private RolloutProgress rollout;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getMatchedPods() {
    return matchedPods;
  }

  public void setMatchedPods(Integer matchedPods) {
    this.matchedPods = matchedPods;
  }

  public Integer getInjectedPods() {
    return injectedPods;
  }

  public void setInjectedPods(Integer injectedPods) {
    this.injectedPods = injectedPods;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public ObservedHealth getObserved() {
    return observed;
  }

  public void setObserved(ObservedHealth observed) {
    this.observed = observed;
  }

  public List<String> getRecommendations() {
    return recommendations;
  }

  public void setRecommendations(List<String> recommendations) {
    this.recommendations = recommendations;
  }

  public RolloutProgress getRollout() {
    return rollout;
  }

  public void setRollout(RolloutProgress rollout) {
    this.rollout = rollout;
  }

  public Condition condition(String type) {
    return conditions == null
        ? null
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }
}
