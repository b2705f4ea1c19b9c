package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpExpectations {

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
