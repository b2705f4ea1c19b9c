package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.testing.Pods;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire format alone: what a review says, and the answer with the patch between two pods. */
class AdmissionCodecTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  final AdmissionCodec codec = new AdmissionCodec(MAPPER);

  static byte[] review(
      String operation, String kind, String namespace, String name, String object) {
    return ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u-1\","
            + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\""
            + kind
            + "\"},\"operation\":\""
            + operation
            + "\",\"namespace\":\""
            + namespace
            + "\",\"name\":\""
            + name
            + "\",\"object\":"
            + object
            + "}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aPodCreateCarriesThePodItsNamespaceAndName() throws Exception {
    var request =
        codec.read(
            review(
                "CREATE",
                "Pod",
                "shop",
                "",
                "{\"metadata\":{\"generateName\":\"web-\"},\"spec\":{\"containers\":[{\"name\":\"app\"}]}}"));
    assertEquals("u-1", request.uid());
    assertEquals("shop", request.namespace());
    assertEquals("web-*", request.podName(), "not named yet: its generateName");
    assertEquals("app", request.pod().getSpec().getContainers().get(0).getName());
  }

  @Test
  void anythingElseCarriesNoPod() throws Exception {
    assertNull(codec.read(review("UPDATE", "Pod", "shop", "web-1", "{}")).pod());
    assertNull(codec.read(review("CREATE", "Secret", "shop", "s", "{}")).pod());
  }

  @Test
  void aMalformedReviewSaysWhatIsWrong() {
    var bad =
        assertThrows(
            AdmissionCodec.BadReview.class,
            () ->
                codec.read(
                    review("CREATE", "Pod", "shop", "x", "{\"spec\":{\"containers\":\"many\"}}")));
    assertTrue(bad.getMessage().startsWith("request.object is not a Pod"), bad.getMessage());
    assertThrows(AdmissionCodec.BadReview.class, () -> codec.read(new byte[0]));
  }

  @Test
  void theAnswerPatchesOnlyWhatChangedAndCarriesTheWarnings() throws Exception {
    Pod pod = Pods.named("web-1").build();
    JsonNode before = codec.tree(pod);
    pod.getMetadata().setAnnotations(Map.of("keepalive.io/policy", "web"));
    JsonNode answer =
        MAPPER
            .readTree(codec.allow("u-1", codec.patch(before, pod), List.of("careful")))
            .get("response");
    assertEquals("u-1", answer.get("uid").asText());
    assertTrue(answer.get("allowed").asBoolean());
    assertEquals("JSONPatch", answer.get("patchType").asText());
    JsonNode patch = MAPPER.readTree(Base64.getDecoder().decode(answer.get("patch").asText()));
    assertEquals(
        MAPPER.readTree(
            "[{\"op\":\"add\",\"path\":\"/metadata/annotations\","
                + "\"value\":{\"keepalive.io/policy\":\"web\"}}]"),
        patch);
    assertEquals("careful", answer.get("warnings").get(0).asText());

    JsonNode unchanged = MAPPER.readTree(codec.allow("u-2")).get("response");
    assertFalse(unchanged.has("patch"));
    assertFalse(unchanged.has("warnings"));
  }
}
