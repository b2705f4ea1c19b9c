package io.keepalive.policy.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Where the operator is in bringing running workloads in line with the policy's generation
 * (spec.rollout Automatic). Workloads are named Kind/name; each list holds at most {@value
 * #MAX_ITEMS} entries, the last one saying how many more there are.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutProgress {
  public static final int MAX_ITEMS = 20;

  @JsonPropertyDescription("The policy generation the workloads are restarted for.")
  private Long generation;

  @Size(max = MAX_ITEMS)
  @JsonPropertyDescription(
      "Workloads the operator restarted for this generation whose rollout finished.")
  private List<String> restarted;

  @Size(max = MAX_ITEMS)
  @JsonPropertyDescription("Workloads restarted for this generation whose rollout is under way.")
  private List<String> restarting;

  @Size(max = MAX_ITEMS)
  @JsonPropertyDescription(
      "Workloads whose pods run without this generation, waiting for their turn.")
  private List<String> waiting;

  @Size(max = MAX_ITEMS)
  @JsonPropertyDescription(
      "Workloads whose rollout did not progress, with why; while one is listed the operator "
          + "restarts nothing more for this policy.")
  private List<String> failed;

  @Size(max = MAX_ITEMS)
  @JsonPropertyDescription(
      "Pods the operator does not restart, with why: pods without a workload (bare pods), pods "
          + "of Jobs or other owners, workloads that would not replace their pods or whose pod "
          + "template the policy does not select. Restart them yourself.")
  private List<String> notRestarted;

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }

  public List<String> getRestarted() {
    return restarted;
  }

  public void setRestarted(List<String> restarted) {
    this.restarted = restarted;
  }

  public List<String> getRestarting() {
    return restarting;
  }

  public void setRestarting(List<String> restarting) {
    this.restarting = restarting;
  }

  public List<String> getWaiting() {
    return waiting;
  }

  public void setWaiting(List<String> waiting) {
    this.waiting = waiting;
  }

  public List<String> getFailed() {
    return failed;
  }

  public void setFailed(List<String> failed) {
    this.failed = failed;
  }

  public List<String> getNotRestarted() {
    return notRestarted;
  }

  public void setNotRestarted(List<String> notRestarted) {
    this.notRestarted = notRestarted;
  }
}
