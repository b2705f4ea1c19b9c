package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
  void notJsonOrNotAnObjectIsRefusedWithoutRepeatingIt() {
    var bad =
        assertThrows(
            AgentReport.Invalid.class,
            () -> AgentReport.parse("web-2", "<html>secret-token-1234</html>"));
    assertEquals("the /status answer is not JSON", bad.getMessage());
    var array = assertThrows(AgentReport.Invalid.class, () -> AgentReport.parse("web-3", "[]"));
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

  /**
   * Whoever answers on the agent's port may send anything: each field is checked for its type and
   * range before any of it can reach a policy's status, and the reason never repeats the answer.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          count not a number      | {"census":{"established":"many"}}               | established is not a whole number
          count negative          | {"census":{"established":-1}}                   | established is not a whole number
          count absurd            | {"census":{"established":99999999999}}          | established is not a whole number
          count a fraction        | {"census":{"established":1.5}}                  | established is not a whole number
          more off than there are | {"census":{"established":1,"keepaliveOff":2}}   | more connections without keepalive
          flag not a boolean      | {"sysctls":{"inSync":"yes"}}                    | inSync is not true or false
          section not an object   | {"sysctls":[1,2]}                               | sysctls is not an object
          findings not a list     | {"findings":"all good"}                         | findings is not a list
          finding not text        | {"findings":[{"x":1}]}                          | findings holds something else than lines
          finding with a newline  | {"findings":["line one\\nline two"]}           | findings holds something else than lines
          too many drift lines    | {"sysctls":{"drift":["a","b","c","d"]}}         | drift has more than 3 entries
          trailing data           | {} {}                                           | not JSON
          """)
  void answersOutsideTheContractAreRefused(String name, String body, String reason) {
    var invalid = assertThrows(AgentReport.Invalid.class, () -> AgentReport.parse("web", body));
    assertTrue(invalid.getMessage().contains(reason), name + ": " + invalid.getMessage());
  }

  @Test
  void findingsAreBoundedInNumberAndLength() {
    String many = "[" + String.join(",", Collections.nCopies(129, "\"f\"")) + "]";
    assertThrows(
        AgentReport.Invalid.class, () -> AgentReport.parse("web", "{\"findings\":" + many + "}"));
    String longLine = "\"" + "x".repeat(4097) + "\"";
    assertThrows(
        AgentReport.Invalid.class,
        () -> AgentReport.parse("web", "{\"findings\":[" + longLine + "]}"));
  }
}
