package io.keepalive.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.keepalive.policy.KeepalivePolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Table-driven over src/test/resources/injection/&lt;case&gt;/: pod.yaml, namespace.yaml, policy*.yaml and an
 * optional cluster.txt (API server version, default v1.34) go through the real {@link AdmissionHandler}; the
 * answer (outcome, patch, warnings) must equal expected.json as a JSON tree. The patch must also apply to the
 * pod, and a second review of the patched pod must change nothing (the API server may call twice).
 *
 * <p>{@code -Dgolden.update=true} rewrites expected.json from what the code does now; review the diff.
 */
class InjectionGoldenTest {
    static final Path CASES = Path.of("src/test/resources/injection");
    static final KubernetesSerialization YAML = new KubernetesSerialization();
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            List<String> names = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.size() >= 15, "golden cases missing: " + names);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void injection(String name) throws IOException {
        Path dir = CASES.resolve(name);
        Namespace namespace = YAML.unmarshal(Files.readString(dir.resolve("namespace.yaml")), Namespace.class);
        List<KeepalivePolicy> policies = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("policy")).sorted().toList()) {
                policies.add(YAML.unmarshal(Files.readString(p), KeepalivePolicy.class));
            }
        }
        Path clusterFile = dir.resolve("cluster.txt");
        KubeVersion version = KubeVersion.parse(Files.exists(clusterFile) ? Files.readString(clusterFile).trim() : "v1.34").orElseThrow();
        JsonNode pod = MAPPER.valueToTree(YAML.unmarshal(Files.readString(dir.resolve("pod.yaml")), Pod.class));

        ClusterView cluster = new FixedCluster(namespace, policies, new ClusterFacts(version));
        List<String> outcomes = new ArrayList<>();
        AdmissionHandler handler = new AdmissionHandler(MAPPER, cluster,
                new PodInjector(new InjectedContainers(TestSettings.defaults()), MAPPER), PodSecurity.Level.privileged,
                (ns, podName, decision, podSets) -> outcomes.add(describe(decision, podSets)));

        ObjectNode actual = MAPPER.createObjectNode();
        JsonNode response = review(handler, namespace.getMetadata().getName(), pod);
        actual.put("outcome", String.join("; ", outcomes));
        JsonNode patch = response.has("patch")
                ? MAPPER.readTree(Base64.getDecoder().decode(response.get("patch").asText())) : MAPPER.createArrayNode();
        actual.set("patch", patch);
        actual.set("warnings", response.has("warnings") ? response.get("warnings") : MAPPER.createArrayNode());

        Path expectedFile = dir.resolve("expected.json");
        if (UPDATE) {
            Files.writeString(expectedFile, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n");
        }
        assertTrue(Files.exists(expectedFile), expectedFile + " missing: run with -Dgolden.update=true");
        JsonNode expected = MAPPER.readTree(expectedFile.toFile());
        assertEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(expected),
                MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual), name);

        if (!patch.isEmpty()) {
            assertTrue(response.get("allowed").asBoolean());
            assertEquals("JSONPatch", response.get("patchType").asText());
            JsonNode patched = JsonPatch.apply(patch, pod);
            // the patched pod must bind to the model: the API server will decode exactly this
            MAPPER.treeToValue(patched, Pod.class);
            JsonNode second = review(handler, namespace.getMetadata().getName(), patched);
            assertFalse(second.has("patch"), "a second review must change nothing: " + second);
            assertTrue(outcomes.get(outcomes.size() - 1).startsWith("skipped AlreadyInjected"), outcomes.toString());
        }
    }

    static JsonNode review(AdmissionHandler handler, String namespace, JsonNode pod) throws IOException {
        ObjectNode review = MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request").put("uid", "golden-uid").put("operation", "CREATE")
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
            return "injected " + i.policy().getMetadata().getName() + " with " + i.strategy()
                    + (i.overruled().isEmpty() ? "" : ", overruled " + i.overruled().stream().map(p -> p.getMetadata().getName()).toList())
                    + (podSets.isEmpty() ? "" : ", PodSetsSysctl " + podSets);
        }
        InjectionDecision.Skip s = (InjectionDecision.Skip) decision;
        return "skipped " + s.reason() + ": " + s.detail();
    }

    record FixedCluster(Namespace namespace, List<KeepalivePolicy> all, ClusterFacts facts) implements ClusterView {
        @Override
        public List<KeepalivePolicy> policies(String ns) {
            // like the informer index: only the namespace's own policies (tests put strangers in on purpose)
            return all.stream().filter(p -> ns.equals(p.getMetadata().getNamespace())
                    || "other-namespace-policy-is-ignored".equals(p.getMetadata().getName())).toList();
        }

        @Override
        public Optional<Map<String, String>> namespaceLabels(String ns) {
            return ns.equals(namespace.getMetadata().getName())
                    ? Optional.of(namespace.getMetadata().getLabels() == null ? Map.of() : namespace.getMetadata().getLabels())
                    : Optional.empty();
        }
    }
}
