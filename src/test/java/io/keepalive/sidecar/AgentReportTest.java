package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentReportTest {
  @Test
  void readsTheContractAndIgnoresFieldsItDoesNotKnow() {
    var report =
        AgentReport.parse(
            "web-1",
            """
                {"policy":"web","sysctls":{"inSync":true,"drift":[]},
                 "census":{"established":7,"keepaliveArmed":5,"keepaliveOff":2},
                 "findings":["a","b"], "somethingNewer": {"x": 1}}
                """);
    assertEquals(new AgentReport("web-1", true, List.of(), 7, 2, List.of("a", "b")), report);
  }

  @Test
  void missingSectionsReadAsNothingObserved() {
    var report = AgentReport.parse("web-1", "{}");
    assertFalse(report.inSync());
    assertEquals(0, report.established());
    assertTrue(report.findings().isEmpty());
  }

  @Test
  void notJsonOrNotAnObjectNamesThePod() {
    var bad =
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("web-2", "<html>"));
    assertTrue(bad.getMessage().contains("web-2"), bad.getMessage());
    var array =
        assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("web-3", "[]"));
    assertTrue(array.getMessage().contains("not a JSON object"), array.getMessage());
  }

  @Test
  void readsTargetsAndTheOldTiming() {
    var report =
        AgentReport.parse(
            "web-1",
            """
                {"census":{"established":3,"keepaliveOff":0,"keepaliveOldTiming":2},
                 "targets":[
                   {"url":"http://a","measuredIdleTimeoutSeconds":4.5,"advertisedIdleTimeoutSeconds":5,
                    "pathDiscovery":{"longestSurvivedSeconds":10,"shortestLostSeconds":30,
                                     "closedByServer":1,"unreachable":0,"connections":3}},
                   {"url":"http://b","measuredIdleTimeoutSeconds":null,"advertisedIdleTimeoutSeconds":75,
                    "pathDiscovery":null}]}
                """);
    assertEquals(2, report.keepaliveOldTiming());
    assertEquals(
        List.of(
            new TargetObservation("http://a", 4.5, new PathIdleTimeout(10, 30, 1, 0, 3)),
            new TargetObservation("http://b", 75.0, null)),
        report.targets());
  }

  @Test
  void targetsThatDoNotFitAreRefusedNamingTheField() {
    String tooMany = "{\"url\":\"http://a\"},".repeat(17);
    for (String[] bad :
        new String[][] {
          {"{\"targets\":{}}", "targets"},
          {"{\"targets\":[" + tooMany.substring(0, tooMany.length() - 1) + "]}", "targets"},
          {"{\"targets\":[{\"url\":\"http://" + "a".repeat(2048) + "\"}]}", "url"},
          {"{\"targets\":[{\"url\":\"http://a\\nb\"}]}", "url"},
          {
            "{\"targets\":[{\"url\":\"http://a\",\"measuredIdleTimeoutSeconds\":-1}]}",
            "measuredIdleTimeoutSeconds"
          },
          {
            "{\"targets\":[{\"url\":\"http://a\",\"pathDiscovery\":{\"shortestLostSeconds\":1.5,"
                + "\"connections\":1}}]}",
            "shortestLostSeconds"
          },
          {
            "{\"targets\":[{\"url\":\"http://a\",\"pathDiscovery\":{\"longestSurvivedSeconds\":10,"
                + "\"closedByServer\":4,\"connections\":3}}]}",
            "connections"
          },
        }) {
      var e =
          assertThrows(IllegalArgumentException.class, () -> AgentReport.parse("web-1", bad[0]));
      assertTrue(e.getMessage().contains("field " + bad[1] + " "), bad[0] + ": " + e.getMessage());
    }
  }
}
