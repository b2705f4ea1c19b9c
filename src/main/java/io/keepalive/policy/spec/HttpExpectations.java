package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.targets) || self.targets.map(t, size(t.url)).sum() <= "
            + HttpExpectations.MAX_URLS_LENGTH,
    fieldPath = ".targets",
    reason = "FieldValueInvalid",
    message =
        "the target URLs together are at most "
            + HttpExpectations.MAX_URLS_LENGTH
            + " characters: they are copied into every pod the policy selects")
public class HttpExpectations {
  /** What the targets may add to each selected pod, all together. */
  public static final int MAX_URLS_LENGTH = 8192;

  @Size(max = 16)
  @JsonPropertyDescription(
      "HTTP servers the workload talks to with keep-alive. The agent checks each one: does it "
          + "keep connections alive, how long does it wait before closing an idle one, and does an idle connection "
          + "survive the path.")
  private List<HttpTarget> targets = new ArrayList<>();

  public List<HttpTarget> getTargets() {
    return targets;
  }

  public void setTargets(List<HttpTarget> targets) {
    this.targets = targets;
  }
}
