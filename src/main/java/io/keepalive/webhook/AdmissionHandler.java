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
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One AdmissionReview in, one out: parse, ask {@link InjectionDecision}, let {@link PodInjector} mutate, and
 * answer with the JSON patch between the pod as received and the pod as mutated. Bad input is the caller's
 * error (400 with a message); anything that is not a pod CREATE is allowed unchanged.
 */
public final class AdmissionHandler {
    public static final String API_VERSION = "admission.k8s.io/v1";
    /** Diff with plain add/remove/replace: move and copy are valid but make the patch hard to read and review. */
    private static final EnumSet<DiffFlags> PLAIN_OPERATIONS = EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION,
            DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_VALUE_ON_REMOVE);

    private final ObjectMapper mapper;
    private final ClusterView cluster;
    private final PodInjector injector;
    private final PodSecurity.Level defaultLevel;
    private final AdmissionOutcomes outcomes;

    public AdmissionHandler(ObjectMapper mapper, ClusterView cluster, PodInjector injector,
                            PodSecurity.Level defaultLevel, AdmissionOutcomes outcomes) {
        this.mapper = mapper;
        this.cluster = cluster;
        this.injector = injector;
        this.defaultLevel = defaultLevel;
        this.outcomes = outcomes;
    }

    /** An HTTP status and body; 200 carries an AdmissionReview, 400 a plain-text message. */
    public record Reply(int status, byte[] body) {
        static Reply badRequest(String message) {
            return new Reply(400, (message + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    public Reply handle(byte[] body) {
        if (body == null || body.length == 0) {
            return Reply.badRequest("empty body: expected an admission.k8s.io/v1 AdmissionReview");
        }
        JsonNode review;
        try {
            review = mapper.readTree(body);
        } catch (IOException e) {
            return Reply.badRequest("body is not JSON: " + firstLine(e.getMessage()));
        }
        if (review == null || !review.isObject()) {
            return Reply.badRequest("body is not a JSON object: expected an AdmissionReview");
        }
        if (!API_VERSION.equals(review.path("apiVersion").asText()) || !"AdmissionReview".equals(review.path("kind").asText())) {
            return Reply.badRequest("expected apiVersion " + API_VERSION + " kind AdmissionReview, got "
                    + review.path("apiVersion").asText("<none>") + " " + review.path("kind").asText("<none>"));
        }
        JsonNode request = review.path("request");
        if (!request.isObject()) {
            return Reply.badRequest("AdmissionReview has no request");
        }
        String uid = request.path("uid").asText("");
        if (uid.isEmpty()) {
            return Reply.badRequest("AdmissionReview request has no uid");
        }
        JsonNode kind = request.path("kind");
        boolean podCreate = "CREATE".equals(request.path("operation").asText())
                && "".equals(kind.path("group").asText("")) && "Pod".equals(kind.path("kind").asText())
                && request.path("object").isObject() && request.path("subResource").asText("").isEmpty();
        if (!podCreate) {
            return allow(uid, null, List.of());
        }
        String namespace = request.path("namespace").asText("");
        JsonNode object = request.path("object");
        Pod pod;
        try {
            pod = mapper.treeToValue(object, Pod.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Reply.badRequest("request.object is not a Pod: " + firstLine(e.getMessage()));
        }
        if (namespace.isEmpty() && pod.getMetadata() != null && pod.getMetadata().getNamespace() != null) {
            namespace = pod.getMetadata().getNamespace();
        }
        String podName = podName(pod, request);

        String podNamespace = namespace;
        InjectionDecision decision = InjectionDecision.decide(pod, podNamespace, () -> cluster.namespaceLabels(podNamespace),
                cluster.policies(podNamespace), defaultLevel, cluster.facts());
        if (!(decision instanceof InjectionDecision.Inject inject)) {
            outcomes.record(namespace, podName, decision, Set.of());
            return allow(uid, null, List.of());
        }
        // both trees from the same mapper and model, so the diff holds only what the injector changed
        JsonNode original = mapper.valueToTree(pod);
        Set<String> podSetsSysctls = injector.inject(pod, inject.policy(), inject.strategy(), cluster.facts());
        JsonNode patch = JsonDiff.asJson(original, mapper.valueToTree(pod), PLAIN_OPERATIONS);
        outcomes.record(namespace, podName, decision, podSetsSysctls);
        List<String> warnings = podSetsSysctls.stream()
                .map(s -> "keepalive.io: the pod sets " + s + " itself; policy " + inject.policy().getMetadata().getName()
                        + " leaves it as it is")
                .toList();
        return allow(uid, patch, warnings);
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

    private Reply allow(String uid, JsonNode patch, List<String> warnings) {
        ObjectNode out = mapper.createObjectNode();
        out.put("apiVersion", API_VERSION);
        out.put("kind", "AdmissionReview");
        ObjectNode response = out.putObject("response");
        response.put("uid", uid);
        response.put("allowed", true);
        if (patch != null && !patch.isEmpty()) {
            response.put("patchType", "JSONPatch");
            try {
                response.put("patch", Base64.getEncoder().encodeToString(mapper.writeValueAsBytes(patch)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!warnings.isEmpty()) {
            ArrayNode w = response.putArray("warnings");
            warnings.forEach(w::add);
        }
        try {
            return new Reply(200, mapper.writeValueAsBytes(out));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
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
