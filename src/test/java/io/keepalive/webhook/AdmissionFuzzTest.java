package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.keepalive.pods.PodDirectory;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.FixedCluster;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Malformed reviews are the caller's error, never the webhook's: every node of a review whose pod
 * uses every list the webhook reads is, in turn, removed, set to null, or given the wrong type;
 * lists get null entries; and random bytes of the body are changed. Each body is answered 200 or
 * 400 with a short message (a 500 or an exception would be the webhook's own bug), through the
 * injection path of each strategy.
 */
class AdmissionFuzzTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static final String REVIEW =
      """
      {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
       "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
       "operation":"CREATE","namespace":"shop","name":"web-1",
       "object":{"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web","tier":"front"},
                     "annotations":{"note":"x","keepalive.io/other":"y"}},
         "spec":{"hostNetwork":false,"os":{"name":"linux"},
                 "securityContext":{"runAsNonRoot":true,
                    "sysctls":[{"name":"net.ipv4.tcp_keepalive_time","value":"600"},{"name":"kernel.shm_rmid_forced","value":"1"}]},
                 "initContainers":[{"name":"setup","image":"busybox:1"}],
                 "containers":[{"name":"app","image":"app:1","ports":[{"containerPort":8080}],
                                "env":[{"name":"A","value":"b"}]}],
                 "ephemeralContainers":[{"name":"debug","image":"busybox:1"}],
                 "volumes":[{"name":"data","emptyDir":{}}]}}}}
      """;

  static AdmissionHandler handler(InjectionStrategy strategy) {
    var policy =
        Policies.named("keepalive")
            .namespace("shop")
            .stored("2026-01-01T00:00:00Z", 1)
            .strategy(strategy)
            .build();
    var cluster =
        new FixedCluster(
            new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build(),
            List.of(policy),
            new ClusterFacts(new KubeVersion(1, 34)));
    return new AdmissionHandler(
        new AdmissionCodec(MAPPER),
        cluster,
        new PodInjector(new InjectedContainers(TestSettings.defaults()), MAPPER),
        PodSecurity.Level.privileged,
        new WebhookOutcomes(
            new WebhookMetrics(new SimpleMeterRegistry()),
            new PolicyEvents(null, new PodDirectory(), Duration.ofMinutes(10), Clock.systemUTC())));
  }

  /** Every way to break one node: gone, null, or another type. */
  static final List<Function<JsonNode, JsonNode>> BREAKS =
      List.of(
          n -> null,
          n -> NODES.nullNode(),
          n -> NODES.textNode("x"),
          n -> NODES.numberNode(-1),
          n -> NODES.booleanNode(true),
          n -> NODES.arrayNode(),
          n -> NODES.arrayNode().addNull(),
          n -> NODES.objectNode(),
          n -> NODES.textNode(""));

  static List<byte[]> mutants() throws Exception {
    JsonNode review = MAPPER.readTree(REVIEW);
    List<String> paths = new ArrayList<>();
    collect(review, "", paths);
    List<byte[]> bodies = new ArrayList<>();
    for (String path : paths) {
      for (var change : BREAKS) {
        JsonNode copy = review.deepCopy();
        if (replace(copy, path, change)) {
          bodies.add(MAPPER.writeValueAsBytes(copy));
        }
      }
      JsonNode at = review.at(path);
      if (at.isArray()) {
        JsonNode copy = review.deepCopy();
        ((ArrayNode) copy.at(path)).addNull();
        bodies.add(MAPPER.writeValueAsBytes(copy));
      }
    }
    Random random = new Random(12);
    byte[] original = REVIEW.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 300; i++) {
      byte[] body = original.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
      }
      bodies.add(body);
    }
    return bodies;
  }

  static void collect(JsonNode node, String path, List<String> paths) {
    if (!path.isEmpty()) {
      paths.add(path);
    }
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> collect(e.getValue(), path + "/" + JsonPatches.escape(e.getKey()), paths));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), path + "/" + i, paths);
      }
    }
  }

  /** Replaces (or with null from the function, removes) the node at {@code path}. */
  static boolean replace(JsonNode root, String path, Function<JsonNode, JsonNode> change) {
    int slash = path.lastIndexOf('/');
    JsonNode parent = root.at(path.substring(0, slash));
    String last = path.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    JsonNode replacement = change.apply(root.at(path));
    if (parent instanceof ObjectNode object) {
      if (replacement == null) {
        object.remove(last);
      } else {
        object.set(last, replacement);
      }
      return true;
    }
    if (parent instanceof ArrayNode array) {
      int index = Integer.parseInt(last);
      if (replacement == null) {
        array.remove(index);
      } else {
        array.set(index, replacement);
      }
      return true;
    }
    return false;
  }

  @ParameterizedTest
  @EnumSource(
      value = InjectionStrategy.class,
      names = {"SecurityContext", "InitContainer"})
  void everyMalformedReviewGetsAnAnswerNeverAnException(InjectionStrategy strategy)
      throws Exception {
    AdmissionHandler handler = handler(strategy);
    assertEquals(
        200,
        handler.handle(REVIEW.getBytes(StandardCharsets.UTF_8)).status(),
        "the control: the review as it is gets injected");
    List<byte[]> bodies = mutants();
    assertTrue(bodies.size() > 800, bodies.size() + " bodies");
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (byte[] body : bodies) {
      AdmissionHandler.Reply reply;
      try {
        reply = handler.handle(body);
      } catch (RuntimeException e) {
        throw new AssertionError(
            "the webhook threw on: " + new String(body, StandardCharsets.UTF_8), e);
      }
      statuses.merge(reply.status(), 1, Integer::sum);
      String message = new String(reply.body(), StandardCharsets.UTF_8);
      if (reply.status() == 400) {
        assertTrue(message.length() < 400, "a short message: " + message);
      } else if (reply.status() != 200) {
        fail(reply.status() + " on " + new String(body, StandardCharsets.UTF_8) + ": " + message);
      }
    }
    assertTrue(statuses.getOrDefault(400, 0) > 100, "refused some: " + statuses);
  }
}
