package io.keepalive.agent;

/**
 * Snapshots for the agent's tests. In the agent's own test package because what they build (a
 * target's report, a probe's result) is the agent's package-private business; everything else lives
 * in io.keepalive.testing.
 */
final class AgentFixtures {
  private AgentFixtures() {}

  // Real lines (kernel 6.x format), one per interesting state.
  static final String TCP =
      """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
               1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 02:000AFC6F 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1
               2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1
               3: 0100007F:D432 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
               4: 0100007F:D433 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 20 4 30 10 -1
               5: 0100007F:26AD 0100007F:D500 01 00000000:00000000 02:000AFC6F 00000000     0        0 1005 1 0000000000000000 20 4 30 10 -1
            """;
  static final String TCP6 =
      """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0000000000000000FFFF00000100007F:D600 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 02:00000FA0 00000000     0        0 2001 1 0000000000000000 20 4 30 10 -1
               1: 0000000000000000FFFF00000100007F:D601 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 01:00000010 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1
            """;

  static HttpTargetProbe.Result keepAliveProbe(Integer advertised) {
    return new HttpTargetProbe.Result(
        true, null, "HTTP/1.1", true, null, advertised, 0.5, 1.0, 0.2, 0, null, 4);
  }

  static TargetReport target(
      String url,
      Integer client,
      HttpTargetProbe.Result probe,
      Double measured,
      CanaryOutcome canary) {
    return new TargetReport(
        url,
        client,
        null,
        probe,
        measured == null ? null : new IdleTimeoutMeasurement.Result(measured, null, "measured"),
        new IdleCanary.Result(canary, 30, "detail of " + canary),
        1,
        null);
  }
}
