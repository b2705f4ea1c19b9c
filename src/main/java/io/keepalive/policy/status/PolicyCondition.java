package io.keepalive.policy.status;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Date;

/**
 * The schema of one condition, as the Kubernetes API conventions define it (metav1.Condition): what
 * the CRD says a condition is. The operator writes fabric8's Condition, which has these fields;
 * this class only describes them to the API server and to {@code kubectl explain}.
 */
public class PolicyCondition {
  /** The three values of a condition's status. */
  public enum Status {
    True,
    False,
    Unknown
  }

  @Required
  @Pattern(
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$")
  @Size(max = 316)
  @JsonPropertyDescription(
      "Type of the condition, one of Ready, Conflict, AgentsReporting, Drifted, RolledOut; at "
          + "most one condition of each type.")
  public String type;

  @Required
  @JsonPropertyDescription("True, False or Unknown (nothing to judge yet).")
  public Status status;

  @Min(0)
  @JsonPropertyDescription(
      "The metadata.generation of the policy the condition was set for; older than the policy's "
          + "generation means the condition is out of date.")
  public Long observedGeneration;

  @Required
  @JsonFormat(shape = JsonFormat.Shape.STRING)
  @JsonPropertyDescription("When the condition last changed from one status to another (RFC 3339).")
  public Date lastTransitionTime;

  @Required
  @Pattern("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription(
      "Why the condition has its status, in CamelCase, for programs: e.g. PodsAwaitingRestart, "
          + "SomeAgentsSilent, SysctlDrift.")
  public String reason;

  @Required
  @Size(max = 32768)
  @JsonPropertyDescription(
      "What a person should know and do, e.g. which pods await a restart or why pods are skipped.")
  public String message;
}
