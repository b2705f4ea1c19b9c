package io.keepalive.policy.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The three per-netns keepalive sysctls. Ranges are the socket-option limits of include/net/tcp.h
 * (TCP_KEEPIDLE/TCP_KEEPINTVL 1..32767, TCP_KEEPCNT 1..127): the sysctls accept wider values, but a
 * value outside them cannot be expressed per socket and usually signals a unit mistake.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.pathIdleTimeoutSeconds) || self.timeSeconds < self.pathIdleTimeoutSeconds",
    fieldPath = ".timeSeconds",
    reason = "FieldValueInvalid",
    message =
        "timeSeconds must be lower than pathIdleTimeoutSeconds: the first keepalive probe has to leave "
            + "before the NAT gateway or load balancer forgets the idle connection")
public class TcpKeepalive {
  public static final int LINUX_DEFAULT_TIME = 7200;
  public static final int LINUX_DEFAULT_INTERVAL = 75;
  public static final int LINUX_DEFAULT_PROBES = 9;

  /** Lowest value of time, interval and probes. */
  public static final int MIN_VALUE = 1;

  /** MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL of include/net/tcp.h. */
  public static final int MAX_SECONDS = 32767;

  /** MAX_TCP_KEEPCNT of include/net/tcp.h. */
  public static final int MAX_PROBES = 127;

  @Required
  @Min(MIN_VALUE)
  @Max(MAX_SECONDS)
  @JsonPropertyDescription(
      "net.ipv4.tcp_keepalive_time: seconds a connection stays idle before the first "
          + "keepalive probe (Linux default 7200). Keep it below the smallest idle timeout on the path.")
  private Integer timeSeconds;

  @Min(MIN_VALUE)
  @Max(MAX_SECONDS)
  @Default("75")
  @JsonPropertyDescription(
      "net.ipv4.tcp_keepalive_intvl: seconds between unanswered probes (Linux default 75).")
  private Integer intervalSeconds = LINUX_DEFAULT_INTERVAL;

  @Min(MIN_VALUE)
  @Max(MAX_PROBES)
  @Default("9")
  @JsonPropertyDescription(
      "net.ipv4.tcp_keepalive_probes: unanswered probes before the connection is declared "
          + "dead (Linux default 9).")
  private Integer probes = LINUX_DEFAULT_PROBES;

  @Min(1)
  @Max(432000)
  @JsonPropertyDescription(
      "Optional: the smallest idle timeout on the workload's network path, in seconds "
          + "(AWS NAT Gateway 350, Azure Load Balancer 240, GCP Cloud NAT 1200). When set, timeSeconds must be lower.")
  private Integer pathIdleTimeoutSeconds;

  public TcpKeepalive() {}

  public TcpKeepalive(int timeSeconds, int intervalSeconds, int probes) {
    this.timeSeconds = timeSeconds;
    this.intervalSeconds = intervalSeconds;
    this.probes = probes;
  }

  public Integer getTimeSeconds() {
    return timeSeconds;
  }

  public void setTimeSeconds(Integer timeSeconds) {
    this.timeSeconds = timeSeconds;
  }

  public Integer getIntervalSeconds() {
    return intervalSeconds;
  }

  public void setIntervalSeconds(Integer intervalSeconds) {
    this.intervalSeconds = intervalSeconds;
  }

  public Integer getProbes() {
    return probes;
  }

  public void setProbes(Integer probes) {
    this.probes = probes;
  }

  public Integer getPathIdleTimeoutSeconds() {
    return pathIdleTimeoutSeconds;
  }

  public void setPathIdleTimeoutSeconds(Integer pathIdleTimeoutSeconds) {
    this.pathIdleTimeoutSeconds = pathIdleTimeoutSeconds;
  }

  /** Effective values: what the API server defaults would give when a field is absent. */
  @JsonIgnore
  public int time() {
    return timeSeconds != null ? timeSeconds : LINUX_DEFAULT_TIME;
  }

  @JsonIgnore
  public int interval() {
    return intervalSeconds != null ? intervalSeconds : LINUX_DEFAULT_INTERVAL;
  }

  @JsonIgnore
  public int probeCount() {
    return probes != null ? probes : LINUX_DEFAULT_PROBES;
  }

  /** Seconds from the last packet until a dead peer is noticed: time + interval x probes. */
  @JsonIgnore
  public int secondsToDetectDeadPeer() {
    return time() + interval() * probeCount();
  }
}
