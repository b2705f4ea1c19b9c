package io.keepalive.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * The AdmissionReview wire format, and nothing else: bytes in, a {@link Request} the handler can
 * act on (or a {@link BadReview} naming what is wrong); a pod before and after, a response with the
 * JSON patch between them. Strict on what it reads: UTF-8 only, one JSON value and nothing after
 * it, no duplicate member names, and a pod whose lists the webhook reads have no holes (a pod the
 * API server sends never has them; anyone else's is refused, not crashed on).
 */
public final class AdmissionCodec {
  public static final String API_VERSION = "admission.k8s.io/v1";

  /** How much of a parser's message a 400 repeats: enough to find the spot, never the body. */
  private static final int MAX_MESSAGE = 200;

  private final ObjectMapper mapper;
  private final ObjectReader reader;

  public AdmissionCodec(ObjectMapper mapper) {
    this.mapper = mapper;
    this.reader =
        mapper
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  /**
   * One review to answer.
   *
   * @param namespace the request's namespace (a pod's own metadata.namespace can be empty on
   *     CREATE)
   * @param podName the pod's name, or its generateName followed by "*" when the API server has not
   *     named it yet
   * @param pod the pod of a pod CREATE; null for anything else, which is allowed unchanged
   * @param size the review's size in bytes, an upper bound of the pod's
   */
  public record Request(String uid, String namespace, String podName, Pod pod, int size) {}

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
      review = reader.readTree(new CharArrayReader(utf8(body)));
    } catch (IOException e) {
      throw new BadReview("body is not JSON: " + shortMessage(e));
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
              + bounded(review.path("apiVersion").asText("<none>"))
              + " "
              + bounded(review.path("kind").asText("<none>")));
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
      return new Request(uid, namespace, null, null, body.length);
    }
    Pod pod;
    try {
      pod = mapper.treeToValue(request.path("object"), Pod.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BadReview("request.object is not a Pod: " + shortMessage(e));
    }
    checkShape(pod);
    if (namespace.isEmpty() && pod.getMetadata().getNamespace() != null) {
      namespace = pod.getMetadata().getNamespace();
    }
    return new Request(uid, namespace, podName(pod, request), pod, body.length);
  }

  /**
   * Strict UTF-8, decoded into characters so that the JSON parser cannot guess another encoding
   * from the first bytes.
   */
  private static char[] utf8(byte[] body) throws BadReview {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new BadReview("body is not valid UTF-8 (at byte " + in.position() + ")");
    }
    char[] chars = new char[out.position()];
    out.flip().get(chars);
    return chars;
  }

  /**
   * The holes the webhook would trip over: no metadata, null list entries, nameless containers,
   * volumes or sysctls. The API server never sends them (its own types cannot hold a null entry,
   * and a missing name arrives as ""), so they come from someone else, and are their error.
   */
  private static void checkShape(Pod pod) throws BadReview {
    if (pod.getMetadata() == null) {
      throw new BadReview("request.object has no metadata");
    }
    PodSpec spec = pod.getSpec();
    if (spec == null) {
      return;
    }
    named("spec.containers", spec.getContainers(), Container::getName);
    named("spec.initContainers", spec.getInitContainers(), Container::getName);
    named("spec.ephemeralContainers", spec.getEphemeralContainers(), EphemeralContainer::getName);
    named("spec.volumes", spec.getVolumes(), Volume::getName);
    if (spec.getSecurityContext() != null) {
      named(
          "spec.securityContext.sysctls", spec.getSecurityContext().getSysctls(), Sysctl::getName);
    }
  }

  private static <T> void named(String path, List<T> items, Function<T, String> name)
      throws BadReview {
    if (items == null) {
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      T item = items.get(i);
      if (item == null) {
        throw new BadReview("request.object." + path + "[" + i + "] is null");
      }
      if (name.apply(item) == null) {
        throw new BadReview("request.object." + path + "[" + i + "] has no name");
      }
    }
  }

  /** For a pod without a name (generateName), the name the API server will complete. */
  static String podName(Pod pod, JsonNode request) {
    String name = request.path("name").asText("");
    if (!name.isEmpty()) {
      return name;
    }
    if (pod.getMetadata().getName() != null) {
      return pod.getMetadata().getName();
    }
    String generate = pod.getMetadata().getGenerateName();
    return generate == null ? "<unnamed>" : generate + "*";
  }

  /**
   * The pod as the patch is computed from: before and after must come from the same mapper and
   * model.
   */
  public JsonNode tree(Pod pod) {
    return mapper.valueToTree(pod);
  }

  /** The JSON patch that turns {@code before} into {@code after}. */
  public byte[] patch(JsonNode before, Pod after) {
    return bytes(JsonPatches.diff(before, tree(after)));
  }

  /** Allowed, unchanged. */
  public byte[] allow(String uid) {
    return allow(uid, null, List.of());
  }

  /** Allowed, with a JSON {@code patch} (none when null or empty) and warnings kubectl shows. */
  public byte[] allow(String uid, byte[] patch, List<String> warnings) {
    ObjectNode out = mapper.createObjectNode();
    out.put("apiVersion", API_VERSION);
    out.put("kind", "AdmissionReview");
    ObjectNode response = out.putObject("response");
    response.put("uid", uid);
    response.put("allowed", true);
    if (patch != null && !isEmptyArray(patch)) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(patch));
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = response.putArray("warnings");
      warnings.forEach(w::add);
    }
    return bytes(out);
  }

  private static boolean isEmptyArray(byte[] json) {
    return json.length == 2 && json[0] == '[' && json[1] == ']';
  }

  private byte[] bytes(JsonNode tree) {
    try {
      return mapper.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String shortMessage(Exception e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int nl = message.indexOf('\n');
    return bounded(nl < 0 ? message : message.substring(0, nl));
  }

  private static String bounded(String text) {
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
  }
}
