package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.InjectionCase;
import io.keepalive.testing.TestSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven over the golden cases ({@link InjectionCase}): each pod goes through the real {@link
 * AdmissionHandler}; the answer (outcome, patch, warnings) must equal expected.json as a JSON tree.
 * The patch must also apply to the pod, and a second review of the patched pod must change nothing
 * (the API server may call twice).
 *
 * <p>{@code -Dgolden.update=true} rewrites expected.json from what the code does now; review the
 * diff.
 */
class InjectionGoldenTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static List<String> cases() {
    return InjectionCase.names();
  }

  @Test
  void theGoldenCasesAreThere() {
    assertTrue(cases().size() >= 15, "golden cases missing: " + cases());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void injection(String name) throws IOException {
    InjectionCase golden = InjectionCase.load(name);
    JsonNode pod = MAPPER.valueToTree(golden.pod());
    List<String> outcomes = new ArrayList<>();
    AdmissionHandler handler =
        new AdmissionHandler(
            new AdmissionCodec(MAPPER),
            golden.view(),
            new PodInjector(new InjectedContainers(TestSettings.defaults()), MAPPER),
            PodSecurity.Level.privileged,
            (ns, podName, decision, podSets) -> outcomes.add(describe(decision, podSets)));

    ObjectNode actual = MAPPER.createObjectNode();
    JsonNode response = review(handler, golden.namespaceName(), pod);
    actual.put("outcome", String.join("; ", outcomes));
    JsonNode patch =
        response.has("patch")
            ? MAPPER.readTree(Base64.getDecoder().decode(response.get("patch").asText()))
            : MAPPER.createArrayNode();
    actual.set("patch", patch);
    actual.set(
        "warnings", response.has("warnings") ? response.get("warnings") : MAPPER.createArrayNode());

    Path expectedFile = golden.dir().resolve("expected.json");
    if (UPDATE) {
      Files.writeString(
          expectedFile, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n");
    }
    assertTrue(
        Files.exists(expectedFile), expectedFile + " missing: run with -Dgolden.update=true");
    JsonNode expected = MAPPER.readTree(expectedFile.toFile());
    assertEquals(
        MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(expected),
        MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual),
        name);

    if (!patch.isEmpty()) {
      assertTrue(response.get("allowed").asBoolean());
      assertEquals("JSONPatch", response.get("patchType").asText());
      JsonNode patched = JsonPatch.apply(patch, pod);
      // the patched pod must bind to the model: the API server will decode exactly this
      MAPPER.treeToValue(patched, Pod.class);
      JsonNode second = review(handler, golden.namespaceName(), patched);
      assertFalse(second.has("patch"), "a second review must change nothing: " + second);
      assertTrue(
          outcomes.get(outcomes.size() - 1).startsWith("skipped AlreadyInjected"),
          outcomes.toString());
    }
  }

  static JsonNode review(AdmissionHandler handler, String namespace, JsonNode pod)
      throws IOException {
    ObjectNode review =
        MAPPER
            .createObjectNode()
            .put("apiVersion", "admission.k8s.io/v1")
            .put("kind", "AdmissionReview");
    ObjectNode request =
        review
            .putObject("request")
            .put("uid", "golden-uid")
            .put("operation", "CREATE")
            .put("namespace", namespace);
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.set("object", pod);
    AdmissionHandler.Reply reply = handler.handle(MAPPER.writeValueAsBytes(review));
    assertEquals(200, reply.status(), new String(reply.body()));
    JsonNode response = MAPPER.readTree(reply.body()).get("response");
    assertEquals("golden-uid", response.get("uid").asText());
    return response;
  }

  static String describe(InjectionDecision decision, Set<String> podSets) {
    if (decision instanceof InjectionDecision.Inject i) {
      return "injected "
          + i.policy().getMetadata().getName()
          + " with "
          + i.strategy()
          + (i.overruled().isEmpty()
              ? ""
              : ", overruled "
                  + i.overruled().stream().map(p -> p.getMetadata().getName()).toList())
          + (podSets.isEmpty() ? "" : ", PodSetsSysctl " + podSets);
    }
    InjectionDecision.Skip s = (InjectionDecision.Skip) decision;
    return "skipped " + s.reason() + ": " + s.detail();
  }
}
