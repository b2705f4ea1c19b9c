package io.keepalive.policy.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * The agents' observations over the matched pods, summed up so that `kubectl describe` tells the
 * story.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObservedHealth {

  @JsonPropertyDescription("Pods whose agent answered on the last round.")
  private Integer podsReporting;

  @JsonPropertyDescription("Pods whose observed sysctls equal the desired ones.")
  private Integer podsInSync;

  @JsonPropertyDescription("Established connections in the reporting pods.")
  private Integer establishedConnections;

  @JsonPropertyDescription(
      "Established connections without the keepalive timer: their owner never enabled "
          + "SO_KEEPALIVE, so no sysctl can keep them alive.")
  private Integer connectionsWithoutKeepalive;

  @JsonPropertyDescription(
      "Established connections whose keepalive timer was armed with a longer time than the "
          + "desired timeSeconds (before the sysctls changed, or by a per-socket TCP_KEEPIDLE): "
          + "they keep the old timing until that timer fires or they reconnect.")
  private Integer connectionsOnOldTiming;

  @JsonPropertyDescription(
      "Findings of the agents and of comparing their measurements with this policy, at most 10, "
          + "most important first.")
  private List<String> findings = new ArrayList<>();

  @Size(max = 16)
  @JsonPropertyDescription(
      "Per HTTP target: the server's idle timeout and what idle-timeout discovery found.")
  private List<ObservedTarget> targets;

  public Integer getPodsReporting() {
    return podsReporting;
  }

  public void setPodsReporting(Integer podsReporting) {
    this.podsReporting = podsReporting;
  }

  public Integer getPodsInSync() {
    return podsInSync;
  }

  public void setPodsInSync(Integer podsInSync) {
    this.podsInSync = podsInSync;
  }

  public Integer getEstablishedConnections() {
    return establishedConnections;
  }

  public void setEstablishedConnections(Integer establishedConnections) {
    this.establishedConnections = establishedConnections;
  }

  public Integer getConnectionsWithoutKeepalive() {
    return connectionsWithoutKeepalive;
  }

  public void setConnectionsWithoutKeepalive(Integer connectionsWithoutKeepalive) {
    this.connectionsWithoutKeepalive = connectionsWithoutKeepalive;
  }

  public Integer getConnectionsOnOldTiming() {
    return connectionsOnOldTiming;
  }

  public void setConnectionsOnOldTiming(Integer connectionsOnOldTiming) {
    this.connectionsOnOldTiming = connectionsOnOldTiming;
  }

  public List<ObservedTarget> getTargets() {
    return targets;
  }

  public void setTargets(List<ObservedTarget> targets) {
    this.targets = targets;
  }

  public List<String> getFindings() {
    return findings;
  }

  public void setFindings(List<String> findings) {
    this.findings = findings;
  }
}
