package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.keepalive.policy.KeepalivePolicyStatus;
import io.keepalive.policy.status.ObservedHealth;
import io.keepalive.policy.status.ObservedTarget;
import io.keepalive.policy.status.RolloutProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every field of the status decides whether it is written, fields added later included. */
class StatusChangeTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A status with every property of every level set, so each one shows up in its JSON. */
  static KeepalivePolicyStatus full() {
    KeepalivePolicyStatus status = new KeepalivePolicyStatus();
    status.setObservedGeneration(3L);
    status.setMatchedPods(4);
    status.setInjectedPods(2);
    status.setConditions(
        new ArrayList<>(
            List.of(
                new ConditionBuilder()
                    .withType("Ready")
                    .withStatus("False")
                    .withReason("PodsAwaitingRestart")
                    .withMessage("2 of 4")
                    .withObservedGeneration(3L)
                    .withLastTransitionTime("2026-05-01T10:00:00Z")
                    .build())));
    ObservedHealth observed = new ObservedHealth();
    observed.setPodsReporting(2);
    observed.setPodsInSync(1);
    observed.setEstablishedConnections(9);
    observed.setConnectionsWithoutKeepalive(1);
    observed.setFindings(new ArrayList<>(List.of("a finding")));
    observed.setConnectionsOnOldTiming(2);
    ObservedTarget target = new ObservedTarget();
    target.setUrl("http://a");
    target.setPods(2);
    target.setServerIdleTimeoutSeconds(4.5);
    target.setPathSurvivedSeconds(10);
    target.setPathLostSeconds(30);
    target.setPathDiscovery("the path forgets ...");
    observed.setTargets(new ArrayList<>(List.of(target)));
    status.setObserved(observed);
    status.setRecommendations(new ArrayList<>(List.of("tcp.timeSeconds: 8 (...)")));
    RolloutProgress rollout = new RolloutProgress();
    rollout.setGeneration(3L);
    rollout.setRestarted(new ArrayList<>(List.of("Deployment/a")));
    rollout.setRestarting(new ArrayList<>(List.of("Deployment/b")));
    rollout.setWaiting(new ArrayList<>(List.of("StatefulSet/c")));
    rollout.setFailed(new ArrayList<>(List.of("Deployment/d: stalled")));
    rollout.setNotRestarted(new ArrayList<>(List.of("pod e: bare pod")));
    status.setRollout(rollout);
    return status;
  }

  @Test
  void anEqualStatusChangesNothingAndTheFirstOneDoes() {
    assertFalse(StatusChange.changes(full(), full()));
    assertTrue(StatusChange.changes(null, full()));
  }

  @Test
  void everyPropertyOfTheStatusCountsIncludingOnesAddedLater() {
    JsonNode tree = JSON.valueToTree(full());
    // a property the fixture leaves unset would not be tried below: the fixture must know every one
    Map<Class<?>, JsonNode> levels =
        Map.of(
            KeepalivePolicyStatus.class, tree,
            ObservedHealth.class, tree.get("observed"),
            ObservedTarget.class, tree.at("/observed/targets/0"),
            RolloutProgress.class, tree.get("rollout"));
    for (Class<?> type : levels.keySet()) {
      JsonNode level = levels.get(type);
      var properties =
          JSON.getSerializationConfig().introspect(JSON.constructType(type)).findProperties();
      for (var property : properties) {
        assertTrue(
            level.has(property.getName()),
            type.getSimpleName()
                + "."
                + property.getName()
                + " is not set in full(): set it, so that this test covers it");
      }
    }
    List<String> leaves = new ArrayList<>();
    collectLeaves(tree, "", leaves);
    assertTrue(leaves.size() >= 14, leaves.toString());
    for (String path : leaves) {
      ObjectNode changed = tree.deepCopy();
      alter(changed, path);
      KeepalivePolicyStatus other = JSON.convertValue(changed, KeepalivePolicyStatus.class);
      assertTrue(StatusChange.changes(full(), other), "a change of " + path + " must be written");
    }
  }

  private static void collectLeaves(JsonNode node, String path, List<String> leaves) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(e -> collectLeaves(e.getValue(), path + "/" + e.getKey(), leaves));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectLeaves(node.get(i), path + "/" + i, leaves);
      }
    } else {
      leaves.add(path);
    }
  }

  private static void alter(ObjectNode root, String path) {
    int slash = path.lastIndexOf('/');
    JsonNode parent = root.at(path.substring(0, slash));
    String last = path.substring(slash + 1);
    JsonNode value = root.at(path);
    JsonNode different =
        value.isTextual()
            ? TextNode.valueOf(value.asText() + "-changed")
            : value.isBoolean()
                ? BooleanNode.valueOf(!value.asBoolean())
                : value.isLong()
                    ? LongNode.valueOf(value.asLong() + 1)
                    : IntNode.valueOf(value.asInt() + 1);
    if (parent instanceof ObjectNode object) {
      object.set(last, different);
    } else {
      ((ArrayNode) parent).set(Integer.parseInt(last), different);
    }
  }

  @Test
  void theComparisonIsOfWhatTheApiServerStores() {
    // conditions carry unknown fields as additionalProperties: they are part of what is stored, so
    // they count
    KeepalivePolicyStatus extra = full();
    extra.getConditions().get(0).setAdditionalProperty("severity", "Info");
    assertTrue(StatusChange.changes(full(), extra));
    assertEquals(
        Map.of("severity", "Info"), extra.getConditions().get(0).getAdditionalProperties());
  }
}
