package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodSelectionTest {

  @Test
  void emptySelectorSelectsEveryPodButMissingSelectorNone() {
    assertTrue(PodSelection.selects(new LabelSelector(), Map.of("a", "b")));
    assertTrue(PodSelection.selects(new LabelSelector(), null));
    assertFalse(PodSelection.selects(null, Map.of("a", "b")));
  }

  @Test
  void matchLabelsNeedEveryLabel() {
    var selector =
        new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web", "tier", "front")).build();
    assertTrue(PodSelection.selects(selector, Map.of("app", "web", "tier", "front", "x", "y")));
    assertFalse(PodSelection.selects(selector, Map.of("app", "web")));
    assertFalse(PodSelection.selects(selector, Map.of("app", "web", "tier", "back")));
  }

  @Test
  void matchExpressionsFollowKubernetesSemantics() {
    var in = expression("env", "In", "prod", "staging");
    assertTrue(PodSelection.selects(in, Map.of("env", "prod")));
    assertFalse(PodSelection.selects(in, Map.of("env", "dev")));
    assertFalse(PodSelection.selects(in, Map.of()));

    var notIn = expression("env", "NotIn", "dev");
    assertTrue(PodSelection.selects(notIn, Map.of("env", "prod")));
    assertTrue(PodSelection.selects(notIn, Map.of()), "NotIn selects pods without the label");
    assertFalse(PodSelection.selects(notIn, Map.of("env", "dev")));

    assertTrue(PodSelection.selects(expression("env", "Exists"), Map.of("env", "")));
    assertFalse(PodSelection.selects(expression("env", "Exists"), Map.of()));
    assertTrue(PodSelection.selects(expression("env", "DoesNotExist"), Map.of()));
    assertFalse(PodSelection.selects(expression("env", "DoesNotExist"), Map.of("env", "x")));
    assertFalse(
        PodSelection.selects(expression("env", "Gt", "1"), Map.of("env", "2")),
        "an unknown operator selects nothing");
  }

  private static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(operator)
        .withValues(values)
        .endMatchExpression()
        .build();
  }
}
