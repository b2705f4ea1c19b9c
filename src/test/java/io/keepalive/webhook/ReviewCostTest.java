package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.FixedCluster;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestSettings;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What one review costs grows with the pod, not with its square: a pod with thousands of sysctls,
 * init containers, containers or volumes (the lists the injector writes into) is answered with a
 * correct patch while the handler allocates at most a fixed multiple of the review's size. Measured
 * as bytes allocated by the reviewing thread, which does not depend on the machine's speed or load
 * (a JSON diff that aligns lists pairwise allocated gigabytes here).
 */
class ReviewCostTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final int ELEMENTS = 8_000;

  /**
   * Parsing, the typed model, two trees and the answer: 40 to 70 times the input here; a pairwise
   * diff took 900 to 17,000 times on these pods.
   */
  static final long ALLOCATED_PER_BODY_BYTE = 100;

  /** On 1.28 the agent is the last regular container, on 1.34 a native sidecar (init container). */
  static AdmissionHandler handler(InjectionStrategy strategy, KubeVersion version) {
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
            new ClusterFacts(version));
    return new AdmissionHandler(
        new AdmissionCodec(MAPPER),
        cluster,
        new PodInjector(new InjectedContainers(TestSettings.defaults()), MAPPER),
        PodSecurity.Level.privileged,
        AdmissionOutcomes.NONE);
  }

  static ObjectNode pod(Consumer<ObjectNode> spec) {
    ObjectNode pod = MAPPER.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "big").putObject("labels").put("app", "web");
    ObjectNode podSpec = pod.putObject("spec");
    podSpec.putArray("containers").addObject().put("name", "app").put("image", "app:1");
    spec.accept(podSpec);
    return pod;
  }

  static byte[] review(ObjectNode pod) throws Exception {
    ObjectNode review = MAPPER.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "u-1").put("operation", "CREATE").put("namespace", "shop");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.set("object", pod);
    return MAPPER.writeValueAsBytes(review);
  }

  static long allocatedBytes(Runnable work) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    work.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "sysctls, SecurityContext, 34, 3",
    "initContainers, InitContainer, 34, 2",
    "containers, InitContainer, 28, 1",
    "volumes, InitContainer, 34, 1"
  })
  void aLargePodCostsMemoryLinearInItsSize(
      String list, InjectionStrategy strategy, int minor, int injected) throws Exception {
    ObjectNode pod =
        pod(
            spec -> {
              ArrayNode items =
                  list.equals("sysctls")
                      ? spec.putObject("securityContext").putArray("sysctls")
                      : spec.withArray(list);
              for (int i = 0; i < ELEMENTS; i++) {
                ObjectNode item = items.addObject().put("name", "x-" + i);
                switch (list) {
                  case "sysctls" -> item.put("name", "net.ipv4.x" + i).put("value", "1");
                  case "volumes" -> item.putObject("emptyDir");
                  default -> item.put("image", "busybox:1");
                }
              }
            });
    byte[] body = review(pod);
    AdmissionHandler handler = handler(strategy, new KubeVersion(1, minor));
    handler.handle(review(pod(spec -> {}))); // class loading and caches are not the review's cost

    AdmissionHandler.Reply[] reply = new AdmissionHandler.Reply[1];
    long allocated = allocatedBytes(() -> reply[0] = handler.handle(body));

    assertEquals(200, reply[0].status(), new String(reply[0].body(), StandardCharsets.UTF_8));
    JsonNode response = MAPPER.readTree(reply[0].body()).get("response");
    JsonNode patch = MAPPER.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
    JsonNode patched = JsonPatch.apply(patch, pod);
    int app = list.equals("containers") ? 1 : 0;
    assertEquals(
        ELEMENTS + app + injected,
        list.equals("sysctls")
            ? patched.at("/spec/securityContext/sysctls").size()
            : patched.at("/spec/" + list).size(),
        "every element kept, ours added");
    assertTrue(
        allocated < ALLOCATED_PER_BODY_BYTE * body.length,
        String.format(
            "a review of %d bytes allocated %d MiB (%d bytes per byte of the review)",
            body.length, allocated >> 20, allocated / body.length));
  }
}
