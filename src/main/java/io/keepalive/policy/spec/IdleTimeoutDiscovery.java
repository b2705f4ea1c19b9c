package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Idle-timeout discovery: each agent opens one connection per idle time to every HTTP target, with
 * keepalive off, holds them idle in parallel, then uses each. What survives and what is silently
 * lost brackets the path's idle timeout. Off unless the policy has this section: it holds
 * connections open and costs the servers some.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IdleTimeoutDiscovery {
  /** Around the timeouts users meet: Azure 240, AWS NAT 350, kube-proxy IPVS 900. */
  public static final List<Integer> DEFAULT_IDLE_SECONDS = List.of(60, 120, 240, 350, 600, 900);

  public static final int DEFAULT_REPEAT_SECONDS = 21600;
  public static final int MAX_IDLE_TIMES = 8;
  public static final int MAX_IDLE_SECONDS = 7200;

  @Size(min = 1, max = MAX_IDLE_TIMES)
  @JsonPropertyDescription(
      "Idle times to try, in seconds (default 60, 120, 240, 350, 600, 900): one connection per "
          + "idle time and HTTP target, all held at once, so a round takes the longest of them "
          + "(plus at most 10 s to tell a lost connection). The longest that survives and the "
          + "shortest that is lost bracket the path's idle timeout.")
  private List<@Min(1) @Max(MAX_IDLE_SECONDS) Integer> idleSeconds;

  @Min(60)
  @Max(604800)
  @Default("21600")
  @JsonPropertyDescription(
      "Seconds from the end of one discovery round to the start of the next (default 21600, "
          + "6 hours). The first round starts when the agent starts.")
  private Integer repeatSeconds = DEFAULT_REPEAT_SECONDS;

  public List<Integer> getIdleSeconds() {
    return idleSeconds;
  }

  public void setIdleSeconds(List<Integer> idleSeconds) {
    this.idleSeconds = idleSeconds;
  }

  public Integer getRepeatSeconds() {
    return repeatSeconds;
  }

  public void setRepeatSeconds(Integer repeatSeconds) {
    this.repeatSeconds = repeatSeconds;
  }

  /** The idle times to try, sorted and without repeats; the default set when none are given. */
  @JsonIgnore
  public List<Integer> idleTimes() {
    List<Integer> given =
        idleSeconds == null || idleSeconds.isEmpty() ? DEFAULT_IDLE_SECONDS : idleSeconds;
    return given.stream().distinct().sorted().toList();
  }

  @JsonIgnore
  public int repeat() {
    return repeatSeconds != null ? repeatSeconds : DEFAULT_REPEAT_SECONDS;
  }
}
