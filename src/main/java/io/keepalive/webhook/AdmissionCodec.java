package io.keepalive.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;

/**
 * The AdmissionReview wire format, and nothing else: bytes in, a {@link Request} the handler can
 * act on (or a {@link BadReview} naming what is wrong); a pod before and after, a response with the
 * JSON patch between them.
 */
public final class AdmissionCodec {
  public static final String API_VERSION = "admission.k8s.io/v1";

  /**
   * Diff with plain add/remove/replace: move and copy are valid but make the patch hard to read and
   * review.
   */
  private static final EnumSet<DiffFlags> PLAIN_OPERATIONS =
      EnumSet.of(
          DiffFlags.OMIT_MOVE_OPERATION,
          DiffFlags.OMIT_COPY_OPERATION,
          DiffFlags.OMIT_VALUE_ON_REMOVE);

  private final ObjectMapper mapper;

  public AdmissionCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * One review to answer.
   *
   * @param namespace the request's namespace (a pod's own metadata.namespace can be empty on
   *     CREATE)
   * @param podName the pod's name, or its generateName followed by "*" when the API server has not
   *     named it yet
   * @param pod the pod of a pod CREATE; null for anything else, which is allowed unchanged
   */
  public record Request(String uid, String namespace, String podName, Pod pod) {}

  /** The review is malformed: the caller's error, with a message for it. */
  public static final class BadReview extends Exception {
    BadReview(String message) {
      super(message);
    }
  }

  public Request read(byte[] body) throws BadReview {
    if (body == null || body.length == 0) {
      throw new BadReview("empty body: expected an " + API_VERSION + " AdmissionReview");
    }
    JsonNode review;
    try {
      review = mapper.readTree(body);
    } catch (IOException e) {
      throw new BadReview("body is not JSON: " + firstLine(e.getMessage()));
    }
    if (review == null || !review.isObject()) {
      throw new BadReview("body is not a JSON object: expected an AdmissionReview");
    }
    if (!API_VERSION.equals(review.path("apiVersion").asText())
        || !"AdmissionReview".equals(review.path("kind").asText())) {
      throw new BadReview(
          "expected apiVersion "
              + API_VERSION
              + " kind AdmissionReview, got "
              + review.path("apiVersion").asText("<none>")
              + " "
              + review.path("kind").asText("<none>"));
    }
    JsonNode request = review.path("request");
    if (!request.isObject()) {
      throw new BadReview("AdmissionReview has no request");
    }
    String uid = request.path("uid").asText("");
    if (uid.isEmpty()) {
      throw new BadReview("AdmissionReview request has no uid");
    }
    JsonNode kind = request.path("kind");
    boolean podCreate =
        "CREATE".equals(request.path("operation").asText())
            && "".equals(kind.path("group").asText(""))
            && "Pod".equals(kind.path("kind").asText())
            && request.path("object").isObject()
            && request.path("subResource").asText("").isEmpty();
    String namespace = request.path("namespace").asText("");
    if (!podCreate) {
      return new Request(uid, namespace, null, null);
    }
    Pod pod;
    try {
      pod = mapper.treeToValue(request.path("object"), Pod.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BadReview("request.object is not a Pod: " + firstLine(e.getMessage()));
    }
    if (namespace.isEmpty()
        && pod.getMetadata() != null
        && pod.getMetadata().getNamespace() != null) {
      namespace = pod.getMetadata().getNamespace();
    }
    return new Request(uid, namespace, podName(pod, request), pod);
  }

  /** For a pod without a name (generateName), the name the API server will complete. */
  static String podName(Pod pod, JsonNode request) {
    String name = request.path("name").asText("");
    if (!name.isEmpty()) {
      return name;
    }
    if (pod.getMetadata() != null && pod.getMetadata().getName() != null) {
      return pod.getMetadata().getName();
    }
    String generate = pod.getMetadata() == null ? null : pod.getMetadata().getGenerateName();
    return generate == null ? "<unnamed>" : generate + "*";
  }

  /**
   * The pod as the patch is computed from: before and after must come from the same mapper and
   * model.
   */
  public JsonNode tree(Pod pod) {
    return mapper.valueToTree(pod);
  }

  /** Allowed, unchanged. */
  public byte[] allow(String uid) {
    return allow(uid, null, null, List.of());
  }

  /**
   * Allowed, with the patch that turns {@code before} into {@code after}, and warnings kubectl
   * shows.
   */
  public byte[] allow(String uid, JsonNode before, Pod after, List<String> warnings) {
    ObjectNode out = mapper.createObjectNode();
    out.put("apiVersion", API_VERSION);
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid);
    response.put("allowed", true);
    JsonNode patch = after == null ? null : JsonDiff.asJson(before, tree(after), PLAIN_OPERATIONS);
    if (patch != null && !patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(bytes(patch)));
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = response.putArray("warnings");
      warnings.forEach(w::add);
    }
    return bytes(out);
  }

  private byte[] bytes(JsonNode tree) {
    try {
      return mapper.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
