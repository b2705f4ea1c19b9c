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
}
