package io.keepalive.packaging;

import static org.junit.jupiter.api.Assertions.*;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.PodMarks;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.keepalive.testing.TestSettings;
import io.keepalive.webhook.WebhookRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `check-inject` as a user runs it: the packaged jar's fourth mode, with a kubeconfig, against the
 * real API server holding a policy and the registration the operator builds (opt-in, so that only
 * this test's labelled namespace is affected; its URL answers nothing, so pods created here are not
 * injected).
 */
class CheckInjectIT {
  static KubernetesClient client;
  static String namespace;
  static String configuration;
  static Path manifest;

  @BeforeAll
  static void cluster() throws Exception {
    client = ControlPlane.client();
    Packaging.ensureCrd(client);
    namespace = TestNamespaces.create(client, "ka-check", Map.of(PodMarks.INJECT_LABEL, "true"));
    configuration = "keepalive-check-" + namespace.substring(namespace.lastIndexOf('-') + 1);
    client
        .resource(
            WebhookRegistration.desired(
                TestSettings.with(
                    Map.of(
                        "keepalive.webhook.configuration-name", configuration,
                        "keepalive.webhook.url", "https://127.0.0.1:9/mutate-pods",
                        "keepalive.webhook.opt-in", "true")),
                null))
        .create();
    client.resource(Policies.policy(namespace, "egress", Policies.WEB, 120, 15, 4)).create();
    manifest = Files.createTempFile("pod", ".yaml");
    Files.writeString(
        manifest,
        client.getKubernetesSerialization().asYaml(Pods.restricted(null, "web", Policies.WEB)));
  }

  @AfterAll
  static void cleanUp() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(configuration)
        .delete();
    client.close();
  }

  static String[] run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("check-inject"));
    command.addAll(List.of(args));
    command.addAll(List.of("--configuration", configuration));
    OperatorProcess check =
        OperatorProcess.start(
            command, Map.of("KUBECONFIG", ControlPlane.kubeconfigFile().toString()));
    String output = check.output();
    return new String[] {Integer.toString(check.process.exitValue()), output};
  }

  @Test
  void aManifestThatWouldBeInjected() throws Exception {
    String[] result = run("-f", manifest.toString(), "-n", namespace);
    assertEquals("0", result[0], result[1]);
    assertTrue(result[1].contains("webhook:  called"), result[1]);
    assertTrue(
        result[1].contains(
            "decision: inject policy egress (generation 1, strategy SecurityContext)"),
        result[1]);
  }

  @Test
  void aPodThatWasCreatedWithoutInjection() throws Exception {
    client.resource(Pods.restricted(namespace, "web-1", Policies.WEB)).create();
    String[] result = run("web-1", "-n", namespace);
    assertEquals("1", result[0], result[1]);
    assertTrue(result[1].contains("now:      the pod carries nothing"), result[1]);
  }

  @Test
  void aNamespaceThatDidNotOptIn() throws Exception {
    String other = TestNamespaces.create(client, "ka-check-other");
    String[] result = run("-f", manifest.toString(), "-n", other);
    assertEquals("1", result[0], result[1]);
    assertTrue(
        result[1].contains(
            "not called: the registration's namespaceSelector leaves namespace "
                + other
                + " out (keepalive.io/inject In [true], and it is not set)"),
        result[1]);
    assertTrue(result[1].contains("decision: skip, NoMatchingPolicy"), result[1]);
  }

  @Test
  void usageErrorsSayHowToCallIt() throws Exception {
    String[] result = run("-n", namespace);
    assertEquals("2", result[0], result[1]);
    assertTrue(result[1].contains("usage: check-inject"), result[1]);
    String[] missing = run("no-such-pod", "-n", namespace);
    assertEquals("2", missing[0], missing[1]);
    assertTrue(missing[1].contains("pod " + namespace + "/no-such-pod not found"), missing[1]);
  }
}
