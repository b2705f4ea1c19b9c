package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.SelectorRequirement;
import io.keepalive.policy.spec.SelectorRequirement.Operator;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodSelectionTest {

  @Test
  void emptySelectorSelectsEveryPodButMissingSelectorNone() {
    assertTrue(PodSelection.selects(new PodSelector(), Map.of("a", "b")));
    assertTrue(PodSelection.selects(new PodSelector(), null));
    assertFalse(PodSelection.selects(null, Map.of("a", "b")));
  }

  @Test
  void matchLabelsNeedEveryLabel() {
    var selector = new PodSelector(Map.of("app", "web", "tier", "front"));
    assertTrue(PodSelection.selects(selector, Map.of("app", "web", "tier", "front", "x", "y")));
    assertFalse(PodSelection.selects(selector, Map.of("app", "web")));
    assertFalse(PodSelection.selects(selector, Map.of("app", "web", "tier", "back")));
  }

  @Test
  void matchExpressionsFollowKubernetesSemantics() {
    var in = expression("env", Operator.In, "prod", "staging");
    assertTrue(PodSelection.selects(in, Map.of("env", "prod")));
    assertFalse(PodSelection.selects(in, Map.of("env", "dev")));
    assertFalse(PodSelection.selects(in, Map.of()));

    var notIn = expression("env", Operator.NotIn, "dev");
    assertTrue(PodSelection.selects(notIn, Map.of("env", "prod")));
    assertTrue(PodSelection.selects(notIn, Map.of()), "NotIn selects pods without the label");
    assertFalse(PodSelection.selects(notIn, Map.of("env", "dev")));

    assertTrue(PodSelection.selects(expression("env", Operator.Exists), Map.of("env", "")));
    assertFalse(PodSelection.selects(expression("env", Operator.Exists), Map.of()));
    assertTrue(PodSelection.selects(expression("env", Operator.DoesNotExist), Map.of()));
    assertFalse(PodSelection.selects(expression("env", Operator.DoesNotExist), Map.of("env", "x")));
    assertEquals(Optional.empty(), PodSelection.problem(in));
    assertEquals(Optional.empty(), PodSelection.problem(new PodSelector(Map.of("a.b/c", ""))));
  }

  /**
   * Selectors the API server now refuses, but a policy stored before could carry: each selects
   * nothing (not everything, never an exception), and the status can say what is wrong.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no operator            | key=app op= values=web       | .operator: Unsupported value
          unknown operator       | key=app op=Gt values=1       | .operator: Unsupported value
          In without values      | key=app op=In values=        | values must be specified when operator is In or NotIn
          NotIn without values   | key=app op=NotIn values=     | values must be specified when operator is In or NotIn
          Exists with values     | key=app op=Exists values=web | values may not be specified when operator is Exists
          no key                 | key= op=Exists values=       | .key: Required value
          key not a label key    | key=-app op=Exists values=   | a label key is an optional DNS subdomain
          value not a label value| key=app op=In values=a b     | a label value is empty or at most 63
          null value             | key=app op=In values=null    | must be a string, not null
          """)
  void anInvalidSelectorSelectsNothingAndSaysWhy(String name, String requirement, String why) {
    Map<String, String> parts = new HashMap<>();
    for (String part : requirement.trim().split(" (?=\\w+=)")) {
      String[] kv = part.split("=", 2);
      parts.put(kv[0], kv[1]);
    }
    List<String> values =
        parts.get("values").isEmpty()
            ? null
            : parts.get("values").equals("null")
                ? Arrays.asList((String) null)
                : List.of(parts.get("values"));
    var selector =
        new PodSelector()
            .with(
                new SelectorRequirement(
                    parts.get("key").isEmpty() ? null : parts.get("key"),
                    Operator.of(parts.get("op")),
                    values));
    Map<String, String> labels = Map.of("app", "web");
    assertFalse(PodSelection.selects(selector, labels), name);
    assertFalse(PodSelection.selects(selector, Map.of()), name);
    String problem = PodSelection.problem(selector).orElseThrow();
    assertTrue(problem.contains(why), name + ": " + problem);
  }

  @Test
  void aNullLabelValueOrANullRequirementSelectsNothing() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("app", null);
    assertFalse(PodSelection.selects(new PodSelector(nullValue), Map.of("app", "web")));
    assertTrue(PodSelection.problem(new PodSelector(nullValue)).orElseThrow().contains("not null"));
    var nullRequirement = new PodSelector().with(null);
    assertFalse(PodSelection.selects(nullRequirement, Map.of()));
    assertTrue(PodSelection.problem(nullRequirement).orElseThrow().contains("not null"));
  }

  private static PodSelector expression(String key, Operator operator, String... values) {
    return new PodSelector()
        .with(new SelectorRequirement(key, operator, values.length == 0 ? null : List.of(values)));
  }
}
