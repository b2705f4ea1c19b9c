package io.keepalive.agent;

/**
 * A snapshot of what the agent knows about one target; the input of findings and of /status. {@code
 * discovery} is null when the policy asks for no idle-timeout discovery.
 */
record TargetReport(
    String url,
    Integer clientIdleTimeoutSeconds,
    String urlError,
    HttpTargetProbe.Result probe,
    IdleTimeoutMeasurement.Result idleTimeout,
    IdleCanary.Result canary,
    long canaryRuns,
    PathDiscovery.Result discovery) {

  boolean reachable() {
    return urlError == null && probe != null && probe.reachable();
  }

  String error() {
    if (urlError != null) {
      return urlError;
    }
    if (probe == null) {
      return null; // first round not done yet
    }
    return probe.error();
  }
}
