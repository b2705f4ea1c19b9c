package io.keepalive.policy.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the agents observed of one HTTP target, summed up over the reporting pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObservedTarget {

  @JsonPropertyDescription("The target's URL.")
  private String url;

  @JsonPropertyDescription("Reporting pods whose agent checks this target.")
  private Integer pods;

  @JsonPropertyDescription(
      "How long the server keeps an idle connection, in seconds: the shortest any agent measured "
          + "(else what the server advertises). Absent while unknown.")
  private Double serverIdleTimeoutSeconds;

  @JsonPropertyDescription(
      "Idle-timeout discovery: the longest idle time, in seconds, after which a connection to "
          + "this target still answered (in any pod). The path's idle timeout is longer.")
  private Integer pathSurvivedSeconds;

  @JsonPropertyDescription(
      "Idle-timeout discovery: the shortest idle time, in seconds, after which a connection to "
          + "this target got no answer or a reset (in any pod). The path's idle timeout is at most "
          + "this.")
  private Integer pathLostSeconds;

  @JsonPropertyDescription(
      "Idle-timeout discovery, in one sentence: what the bracket says about the path, or why "
          + "there is none. Absent when the policy asks for no discovery.")
  private String pathDiscovery;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public Integer getPods() {
    return pods;
  }

  public void setPods(Integer pods) {
    this.pods = pods;
  }

  public Double getServerIdleTimeoutSeconds() {
    return serverIdleTimeoutSeconds;
  }

  public void setServerIdleTimeoutSeconds(Double serverIdleTimeoutSeconds) {
    this.serverIdleTimeoutSeconds = serverIdleTimeoutSeconds;
  }

  public Integer getPathSurvivedSeconds() {
    return pathSurvivedSeconds;
  }

  public void setPathSurvivedSeconds(Integer pathSurvivedSeconds) {
    this.pathSurvivedSeconds = pathSurvivedSeconds;
  }

  public Integer getPathLostSeconds() {
    return pathLostSeconds;
  }

  public void setPathLostSeconds(Integer pathLostSeconds) {
    this.pathLostSeconds = pathLostSeconds;
  }

  public String getPathDiscovery() {
    return pathDiscovery;
  }

  public void setPathDiscovery(String pathDiscovery) {
    this.pathDiscovery = pathDiscovery;
  }
}
