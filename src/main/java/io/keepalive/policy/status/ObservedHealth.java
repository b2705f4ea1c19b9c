package io.keepalive.policy.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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

  @JsonPropertyDescription("Findings of the agents, at most 10, most important first.")
  private List<String> findings = new ArrayList<>();

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

  public List<String> getFindings() {
    return findings;
  }

  public void setFindings(List<String> findings) {
    this.findings = findings;
  }
}
