package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AgentSettings {
  public static final int DEFAULT_PROBE_INTERVAL_SECONDS = 30;

  @Default("true")
  @JsonPropertyDescription(
      "Inject the observing sidecar agent (unprivileged, Pod Security restricted). "
          + "It reports sysctls in force, sockets without keepalive, HTTP keep-alive behaviour and an idle canary.")
  // explicit: the @JsonIgnore on isEnabled() would otherwise drop "enabled" from the JSON and the
  // CRD
  @JsonProperty("enabled")
  private Boolean enabled = true;

  @Min(5)
  @Max(3600)
  @Default("30")
  @JsonPropertyDescription(
      "Seconds between the agent's observations of sysctls, sockets and HTTP targets.")
  private Integer probeIntervalSeconds = DEFAULT_PROBE_INTERVAL_SECONDS;

  @Min(1)
  @Max(86400)
  @JsonPropertyDescription(
      "Seconds the idle canary connection is held idle before it is reused. Default: 30 s "
          + "above tcp.pathIdleTimeoutSeconds when that is set, else twice tcp.timeSeconds.")
  private Integer canaryIdleSeconds;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getProbeIntervalSeconds() {
    return probeIntervalSeconds;
  }

  public void setProbeIntervalSeconds(Integer probeIntervalSeconds) {
    this.probeIntervalSeconds = probeIntervalSeconds;
  }

  public Integer getCanaryIdleSeconds() {
    return canaryIdleSeconds;
  }

  public void setCanaryIdleSeconds(Integer canaryIdleSeconds) {
    this.canaryIdleSeconds = canaryIdleSeconds;
  }

  @JsonIgnore
  public boolean isEnabled() {
    return enabled == null || enabled;
  }

  @JsonIgnore
  public int probeInterval() {
    return probeIntervalSeconds != null ? probeIntervalSeconds : DEFAULT_PROBE_INTERVAL_SECONDS;
  }

  /**
   * The canary must stay idle longer than whatever would kill it: past the path's idle timeout when
   * the user told us that, else past the keepalive time, so that the first probe has to have
   * happened.
   */
  public int effectiveCanaryIdleSeconds(Integer pathIdleTimeoutSeconds, int keepaliveTimeSeconds) {
    if (canaryIdleSeconds != null) {
      return canaryIdleSeconds;
    }
    if (pathIdleTimeoutSeconds != null) {
      return pathIdleTimeoutSeconds + 30;
    }
    return 2 * keepaliveTimeSeconds;
  }
}
