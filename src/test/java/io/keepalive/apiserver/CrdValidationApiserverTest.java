package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.TestNamespaces;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated CRD, installed in a real kube-apiserver, accepts the shipped examples and rejects
 * bad policies with a message naming the field: schema ranges, required fields and the CEL rule are
 * the API server's own.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class CrdValidationApiserverTest {
  static KubernetesClient client;
  static String namespace;

  @BeforeAll
  static void namespace() {
    client = ControlPlane.client();
    namespace = TestNamespaces.create(client, "crd");
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void crdIsEstablishedWithStatusSubresourceAndShortName() {
    var crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(KeepalivePolicy.CRD_NAME)
            .get();
    assertTrue(
        crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True")));
    assertEquals(List.of("kap"), crd.getSpec().getNames().getShortNames());
    assertTrue(crd.getSpec().getVersions().get(0).getSubresources().getStatus() != null);
  }

  @Test
  void shippedExamplesAreAccepted() throws IOException {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("deploy/examples"))) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertFalse(examples.isEmpty());
    for (Path example : examples) {
      var policy =
          client
              .getKubernetesSerialization()
              .unmarshal(Files.readString(example), GenericKubernetesResource.class);
      var created = client.resource(policy).inNamespace(namespace).create();
      assertEquals(namespace, created.getMetadata().getNamespace(), example.toString());
    }
  }

  @Test
  void defaultsAreFilledByTheApiServer() {
    var created =
        create(
            """
                spec:
                  selector: {}
                  tcp: {timeSeconds: 100}
                """);
    var spec = (Map<?, ?>) created.getAdditionalProperties().get("spec");
    var tcp = (Map<?, ?>) spec.get("tcp");
    assertEquals(75, ((Number) tcp.get("intervalSeconds")).intValue());
    assertEquals(9, ((Number) tcp.get("probes")).intValue());
    assertEquals("Auto", spec.get("strategy"));
    assertEquals("Manual", spec.get("rollout"), "the operator restarts nothing unless asked");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
            timeSeconds 0           | tcp: {timeSeconds: 0}                               | spec.tcp.timeSeconds
            timeSeconds 40000       | tcp: {timeSeconds: 40000}                           | spec.tcp.timeSeconds
            intervalSeconds 0       | tcp: {timeSeconds: 60, intervalSeconds: 0}          | spec.tcp.intervalSeconds
            probes 0                | tcp: {timeSeconds: 60, probes: 0}                   | spec.tcp.probes
            probes 128              | tcp: {timeSeconds: 60, probes: 128}                 | spec.tcp.probes
            time equals path idle   | tcp: {timeSeconds: 350, pathIdleTimeoutSeconds: 350}| spec.tcp.timeSeconds
            time above path idle    | tcp: {timeSeconds: 400, pathIdleTimeoutSeconds: 350}| spec.tcp.timeSeconds
            missing timeSeconds     | tcp: {intervalSeconds: 10}                          | spec.tcp.timeSeconds
            unknown strategy        | strategy: Privileged, tcp: {timeSeconds: 60}        | spec.strategy
            unknown rollout         | rollout: Always, tcp: {timeSeconds: 60}             | spec.rollout
            discovery no targets    | discovery: {}, tcp: {timeSeconds: 60}               | spec.discovery
            discovery no agent      | discovery: {}, agent: {enabled: false}, http: {targets: [{url: "http://a"}]}, tcp: {timeSeconds: 60} | spec.discovery
            discovery idle 0        | discovery: {idleSeconds: [0]}, http: {targets: [{url: "http://a"}]}, tcp: {timeSeconds: 60} | spec.discovery.idleSeconds
            discovery 9 idle times  | discovery: {idleSeconds: [1,2,3,4,5,6,7,8,9]}, http: {targets: [{url: "http://a"}]}, tcp: {timeSeconds: 60} | spec.discovery.idleSeconds
            discovery repeat 10     | discovery: {repeatSeconds: 10}, http: {targets: [{url: "http://a"}]}, tcp: {timeSeconds: 60} | spec.discovery.repeatSeconds
            """)
  void invalidValuesAreRejectedNamingTheField(String caseName, String tcp, String field) {
    var error =
        assertThrows(
            KubernetesClientException.class, () -> create("spec: {selector: {}, " + tcp + "}\n"));
    assertEquals(422, error.getCode(), error.getMessage());
    assertTrue(error.getMessage().contains(field), caseName + ": " + error.getMessage());
  }

  /**
   * Selectors are checked as Kubernetes checks its own, and what a policy copies into every pod is
   * bounded and free of credentials; each refusal names the field and says why.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          expression without operator | selector: {matchExpressions: [{key: app, values: [web]}]}              | spec.selector.matchExpressions[0].operator: Required value
          unknown operator            | selector: {matchExpressions: [{key: app, operator: Gt, values: ['1']}]} | Unsupported value: "Gt"
          In without values           | selector: {matchExpressions: [{key: app, operator: In}]}               | values must be specified when operator is In or NotIn
          NotIn with no values        | selector: {matchExpressions: [{key: app, operator: NotIn, values: []}]} | values must be specified when operator is In or NotIn
          Exists with values          | selector: {matchExpressions: [{key: app, operator: Exists, values: [x]}]} | values may not be specified when operator is Exists or DoesNotExist
          null expression             | selector: {matchExpressions: [null]}                                   | spec.selector.matchExpressions[0]
          expression value a number   | selector: {matchExpressions: [{key: app, operator: In, values: [5]}]}  | must be of type string
          key not a label key         | selector: {matchExpressions: [{key: -app, operator: Exists}]}          | spec.selector.matchExpressions[0].key
          matchLabels value null      | selector: {matchLabels: {app: null}}                                   | every matchLabels value must be a string
          matchLabels value a number  | selector: {matchLabels: {app: 5}}                                      | must be of type string
          matchLabels value not a label value | selector: {matchLabels: {app: a b}}                           | spec.selector.matchLabels.app
          matchLabels key not a label key | selector: {matchLabels: {'a b': x}}                              | every matchLabels key must be a label key
          URL with credentials        | selector: {}, http: {targets: [{url: 'http://user:secret@orders/'}]} | url must not carry credentials
          URL too long                | selector: {}, http: {targets: [{url: 'http://h/LONG'}]}                | spec.http.targets[0].url: Too long
          URLs together too long      | selector: {}, http: {targets: [{url: 'http://h/HALF'}, {url: 'http://h/HALF'}, {url: 'http://h/HALF'}, {url: 'http://h/HALF'}, {url: 'http://h/HALF'}]} | the target URLs together are at most 8192 characters
          """)
  void badSelectorsAndTargetsAreRejectedSayingWhy(String caseName, String spec, String message) {
    String yaml =
        "spec: {tcp: {timeSeconds: 60}, "
            + spec.replace("LONG", "x".repeat(2100)).replace("HALF", "y".repeat(1800))
            + "}\n";
    var error = assertThrows(KubernetesClientException.class, () -> create(yaml));
    assertEquals(422, error.getCode(), error.getMessage());
    assertTrue(error.getMessage().contains(message), caseName + ": " + error.getMessage());
  }

  @Test
  void validSelectorsAndTargetsAreAccepted() {
    var created =
        create(
            """
            spec:
              tcp: {timeSeconds: 60}
              selector:
                matchLabels: {app.kubernetes.io/name: web, empty: ""}
                matchExpressions:
                - {key: tier, operator: In, values: [front, back]}
                - {key: canary, operator: DoesNotExist}
              http:
                targets: [{url: "http://orders.shop.svc:8080/healthz?who=me@example"}]
            """);
    var selector =
        (Map<?, ?>) ((Map<?, ?>) created.getAdditionalProperties().get("spec")).get("selector");
    assertEquals(Map.of("app.kubernetes.io/name", "web", "empty", ""), selector.get("matchLabels"));
  }

  @Test
  void pathIdleRuleExplainsWhy() {
    var error =
        assertThrows(
            KubernetesClientException.class,
            () ->
                create(
                    """
                spec:
                  selector: {}
                  tcp: {timeSeconds: 400, pathIdleTimeoutSeconds: 350}
                """));
    assertTrue(
        error.getMessage().contains("timeSeconds must be lower than pathIdleTimeoutSeconds"),
        error.getMessage());
  }

  @Test
  void missingSelectorIsRejected() {
    var error =
        assertThrows(
            KubernetesClientException.class,
            () ->
                create(
                    """
                spec:
                  tcp: {timeSeconds: 60}
                """));
    assertTrue(error.getMessage().contains("spec.selector"), error.getMessage());
    assertTrue(error.getMessage().contains("Required value"), error.getMessage());
  }

  @Test
  void badTargetUrlIsRejected() {
    var error =
        assertThrows(
            KubernetesClientException.class,
            () ->
                create(
                    """
                spec:
                  selector: {}
                  tcp: {timeSeconds: 60}
                  http:
                    targets: [{url: "ftp://example/x"}]
                """));
    assertTrue(error.getMessage().contains("spec.http.targets[0].url"), error.getMessage());
  }

  private GenericKubernetesResource create(String specYaml) {
    String yaml =
        "apiVersion: keepalive.io/v1alpha1\nkind: KeepalivePolicy\nmetadata:\n  generateName: p-\n"
            + specYaml;
    var resource =
        client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    return client.resource(resource).inNamespace(namespace).create();
  }
}
