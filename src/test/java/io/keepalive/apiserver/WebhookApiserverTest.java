package io.keepalive.apiserver;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.HttpExpectations;
import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.SkipReason;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.keepalive.testing.TrustingAnyone;
import io.keepalive.webhook.CertificateAuthority;
import io.keepalive.webhook.Webhook;
import io.keepalive.webhook.WebhookCertificates;
import io.keepalive.webhook.WebhookRegistration;
import io.keepalive.webhook.WebhookTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real kube-apiserver calls the operator's webhook over HTTPS (URL mode, the operator's own CA
 * in the caBundle) when a test creates a pod; the stored pod is what the API server kept after
 * mutation and after Pod Security, which runs later.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
class WebhookApiserverTest {
  static final Duration WITHIN = Duration.ofSeconds(30);
  static final Map<String, String> WEB = Map.of("app", "web");

  /** What {@code Policies.policy(ns, "keepalive", WEB, 300, 30, 5)} puts into a pod. */
  static final List<String> POLICY_SYSCTLS =
      List.of(
          "net.ipv4.tcp_keepalive_time=300",
          "net.ipv4.tcp_keepalive_intvl=30",
          "net.ipv4.tcp_keepalive_probes=5");

  static final Map<String, String> RESTRICTED =
      Map.of("pod-security.kubernetes.io/enforce", "restricted");

  @Inject Webhook webhook;
  @Inject OperatorSettings settings;
  @Inject MeterRegistry registry;
  @Inject Vertx vertx;

  static KubernetesClient client;

  @BeforeAll
  static void connect() {
    client = ControlPlane.client();
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @BeforeEach
  void ready() {
    webhook.awaitReady(Duration.ofSeconds(90));
  }

  /** A namespace and a policy the webhook's cache already holds. */
  String namespaceWithPolicy(
      String prefix,
      Map<String, String> labels,
      InjectionStrategy strategy,
      Consumer<KeepalivePolicy> tweak) {
    String ns = TestNamespaces.create(client, prefix, labels);
    KeepalivePolicy policy = Policies.policy(ns, "keepalive", WEB, 300, 30, 5);
    policy.getSpec().setStrategy(strategy);
    tweak.accept(policy);
    client.resource(policy).create();
    await().atMost(WITHIN).until(() -> !webhook.caches().policies(ns).isEmpty());
    return ns;
  }

  Pod create(Pod pod) {
    client.resource(pod).create();
    return client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .get();
  }

  static List<Container> allContainers(Pod pod) {
    List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    return all;
  }

  static Map<String, String> annotations(Pod pod) {
    return pod.getMetadata().getAnnotations() == null
        ? Map.of()
        : pod.getMetadata().getAnnotations();
  }

  static List<String> sysctls(Pod pod) {
    var psc = pod.getSpec().getSecurityContext();
    return psc == null || psc.getSysctls() == null
        ? List.of()
        : psc.getSysctls().stream().map(s -> s.getName() + "=" + s.getValue()).toList();
  }

  @Test
  void restrictedNamespaceGetsSecurityContextAndAnAgentThatPassesRestricted() {
    String ns = namespaceWithPolicy("restricted", RESTRICTED, InjectionStrategy.Auto, p -> {});
    Pod stored = create(Pods.restricted(ns, "web-1", WEB));

    assertEquals(POLICY_SYSCTLS, sysctls(stored));
    Map<String, String> annotations = stored.getMetadata().getAnnotations();
    assertEquals("keepalive", annotations.get(PodMarks.POLICY_ANNOTATION));
    assertEquals("1", annotations.get(PodMarks.GENERATION_ANNOTATION));
    assertEquals("SecurityContext", annotations.get(PodMarks.STRATEGY_ANNOTATION));
    assertNotNull(annotations.get(PodMarks.HASH_ANNOTATION));
    assertEquals(
        settings.agent().port(),
        InjectedContainers.agentPort(stored.getSpec()),
        "the operator asks the agent on the port of the stored pod's agent container");
    assertEquals(
        String.valueOf(settings.agent().port()),
        annotations.get(PodMarks.AGENT_PORT_ANNOTATION),
        "the PodMonitor's marker");
    assertTrue(
        allContainers(stored).stream()
            .noneMatch(
                c ->
                    c.getSecurityContext() != null
                        && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged())),
        "no privileged container");
    // native sidecar on 1.34
    Container agent = stored.getSpec().getInitContainers().get(0);
    assertEquals(InjectedContainers.AGENT_CONTAINER, agent.getName());
    assertEquals("Always", agent.getRestartPolicy());
    assertEquals(settings.image(), agent.getImage());
    assertTrue(
        agent.getEnv().stream()
            .anyMatch(
                e ->
                    e.getName().equals("KEEPALIVE_DESIRED_TIME_SECONDS")
                        && e.getValue().equals("300")));
  }

  /**
   * Every event loop of the application busy for 6 s (where the Kubernetes client decodes its watch
   * events: a relist of many pods, or the first minute's events decoded by code not yet compiled):
   * a pod created meanwhile is injected all the same, and its creation does not wait for them. The
   * webhook serves on an event loop of its own; on a shared one the review waited behind them.
   */
  @Test
  void aPodIsInjectedWithoutWaitingWhileTheApplicationsEventLoopsAreBusy() throws Exception {
    String ns = namespaceWithPolicy("busy", Map.of(), InjectionStrategy.SecurityContext, p -> {});
    CountDownLatch release = new CountDownLatch(1);
    List<CountDownLatch> started = new ArrayList<>();
    for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
      CountDownLatch running = new CountDownLatch(1);
      started.add(running);
      loop.execute(
          () -> {
            running.countDown();
            try {
              release.await(6, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    long took;
    try {
      for (var running : started) {
        assertTrue(running.await(5, TimeUnit.SECONDS));
      }
      long start = System.nanoTime();
      ControlPlane.kubectl(
          "run", "busy-1", "-n", ns, "--image=app:1", "--labels=app=web", "--restart=Never");
      took = (System.nanoTime() - start) / 1_000_000;
    } finally {
      release.countDown();
    }
    assertTrue(took < 4_000, "the pod's creation waited " + took + " ms for the busy event loops");
    Pod stored = client.pods().inNamespace(ns).withName("busy-1").get();
    assertEquals(POLICY_SYSCTLS, sysctls(stored));
  }

  @Test
  void initContainerStrategyInPrivilegedNamespace() {
    String ns =
        namespaceWithPolicy(
            "privileged",
            Map.of("pod-security.kubernetes.io/enforce", "privileged"),
            InjectionStrategy.InitContainer,
            p -> {});
    Pod stored = create(Pods.restricted(ns, "web-1", WEB));
    Container init = stored.getSpec().getInitContainers().get(0);
    assertEquals(InjectedContainers.SYSCTLS_CONTAINER, init.getName());
    assertTrue(init.getSecurityContext().getPrivileged());
    assertEquals(
        List.of("apply-sysctls", "--time=300", "--interval=30", "--probes=5"), init.getArgs());
    assertEquals(
        InjectedContainers.AGENT_CONTAINER, stored.getSpec().getInitContainers().get(1).getName());
    assertEquals(List.of(), sysctls(stored));
    assertEquals(
        "InitContainer", stored.getMetadata().getAnnotations().get(PodMarks.STRATEGY_ANNOTATION));
  }

  @Test
  void securityContextStrategyKeepsThePodsOwnSysctlAndCanSkipTheAgent() {
    String ns =
        namespaceWithPolicy(
            "sysctl",
            Map.of(),
            InjectionStrategy.SecurityContext,
            p -> {
              AgentSettings agent = new AgentSettings();
              agent.setEnabled(false);
              p.getSpec().setAgent(agent);
            });
    // agent.enabled=false survives the API server (the CRD keeps the field)
    assertEquals(
        Boolean.FALSE,
        client
            .resources(KeepalivePolicy.class)
            .inNamespace(ns)
            .withName("keepalive")
            .get()
            .getSpec()
            .getAgent()
            .getEnabled());
    Pod pod = Pods.restricted(ns, "web-1", WEB);
    pod.getSpec()
        .getSecurityContext()
        .setSysctls(List.of(new Sysctl("net.ipv4.tcp_keepalive_time", "600")));
    Pod stored = create(pod);
    assertEquals(
        List.of(
            "net.ipv4.tcp_keepalive_time=600",
            "net.ipv4.tcp_keepalive_intvl=30",
            "net.ipv4.tcp_keepalive_probes=5"),
        sysctls(stored));
    assertTrue(allContainers(stored).stream().noneMatch(c -> c.getName().startsWith("keepalive-")));
    assertEquals("keepalive", annotations(stored).get(PodMarks.POLICY_ANNOTATION));
    assertEquals(0, InjectedContainers.agentPort(stored.getSpec()), "no agent, so no agent port");
    assertNull(annotations(stored).get(PodMarks.AGENT_PORT_ANNOTATION));
  }

  @Test
  void hostNetworkAndOptedOutPodsAreStoredUnchanged() {
    String ns = namespaceWithPolicy("skips", Map.of(), InjectionStrategy.Auto, p -> {});
    // the registry is the JVM's, shared with every other test: read the counter as a delta
    double hostNetworkSkipsBefore = hostNetworkSkips();
    Pod host = Pods.restricted(ns, "host", WEB);
    host.getSpec().setHostNetwork(true);
    Pod optedOut =
        Pods.restricted(ns, "opted-out", Map.of("app", "web", PodMarks.INJECT_LABEL, "false"));
    for (Pod pod : List.of(host, optedOut)) {
      Pod stored = create(pod);
      assertEquals(Map.of(), annotations(stored), pod.getMetadata().getName());
      assertEquals(List.of(), sysctls(stored));
      assertTrue(
          stored.getSpec().getInitContainers() == null
              || stored.getSpec().getInitContainers().isEmpty());
      assertEquals(1, stored.getSpec().getContainers().size());
    }
    assertEquals(
        1,
        hostNetworkSkips() - hostNetworkSkipsBefore,
        "the webhook saw the hostNetwork pod and named the reason");
  }

  double hostNetworkSkips() {
    var counter =
        registry
            .find("keepalive.webhook.pods")
            .tag("reason", SkipReason.HostNetwork.name())
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aTenantsPolicyNeverReachesPodsOfAnotherNamespace() {
    // a policy that selects everything in its own namespace...
    String tenant =
        namespaceWithPolicy(
            "tenant",
            Map.of(),
            InjectionStrategy.Auto,
            p -> p.getSpec().setSelector(new PodSelector()));
    // ...and a pod with the same labels next door, in a namespace without policies
    String neighbour = TestNamespaces.create(client, "neighbour");
    Pod stored = create(Pods.restricted(neighbour, "web-next-door", WEB));
    assertEquals(Map.of(), annotations(stored));
    assertEquals(List.of(), sysctls(stored));
    assertEquals(1, allContainers(stored).size());
    // the control: the same pod in the tenant's namespace is injected
    assertEquals(
        "keepalive",
        annotations(create(Pods.restricted(tenant, "web-at-home", WEB)))
            .get(PodMarks.POLICY_ANNOTATION));
  }

  @Test
  void baselinePinnedToV128WithAutoIsSkippedAndNamed() {
    String ns =
        namespaceWithPolicy(
            "pinned",
            Map.of(
                "pod-security.kubernetes.io/enforce",
                "baseline",
                "pod-security.kubernetes.io/enforce-version",
                "v1.28"),
            InjectionStrategy.Auto,
            p -> {});
    // sysctls would be rejected by Pod Security v1.28, a privileged init container by baseline: the
    // pod is
    // created as the user wrote it, and the policy gets a Warning event naming why
    Pod stored = create(Pods.restricted(ns, "web-1", WEB));
    assertEquals(List.of(), sysctls(stored));
    assertEquals(Map.of(), annotations(stored));
    Event event = awaitEvent(ns, SkipReason.PodSecurityForbidsSysctls.name());
    assertEquals("Warning", event.getType());
    assertTrue(event.getMessage().contains("enforce-version"), event.getMessage());
  }

  @Test
  void podsAreCreatedUninjectedWhileTheWebhookIsDown() {
    String ns = namespaceWithPolicy("down", Map.of(), InjectionStrategy.Auto, p -> {});
    assertEquals(
        "Ignore",
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(settings.webhook().configurationName())
            .get()
            .getWebhooks()
            .get(0)
            .getFailurePolicy());
    webhook.server().stop();
    try {
      RestAssured.when().get("/q/health/ready").then().statusCode(503);
      Pod stored = create(Pods.restricted(ns, "while-down", WEB));
      assertEquals(Map.of(), annotations(stored));
    } finally {
      webhook.server().start();
    }
    RestAssured.when().get("/q/health/ready").then().statusCode(200);
    Pod stored = create(Pods.restricted(ns, "after-restart", WEB));
    assertEquals(
        "keepalive", stored.getMetadata().getAnnotations().get(PodMarks.POLICY_ANNOTATION));
  }

  @Test
  void podsCreatedWhileThePolicyIsBeingUpdatedAreAllInjected() throws Exception {
    // every status write or metadata change of a policy updates the webhook's cache; a pod admitted
    // at that
    // moment must still find its policy (a namespace-index read raced such updates and let pods
    // through)
    String ns = namespaceWithPolicy("churn", Map.of(), InjectionStrategy.Auto, p -> {});
    var stop = new AtomicBoolean();
    Thread churn =
        new Thread(
            () -> {
              for (int i = 0; !stop.get(); i++) {
                int n = i;
                client
                    .resources(KeepalivePolicy.class)
                    .inNamespace(ns)
                    .withName("keepalive")
                    .edit(
                        p -> {
                          p.getMetadata().setAnnotations(Map.of("test/churn", Integer.toString(n)));
                          return p;
                        });
              }
            });
    churn.start();
    try {
      for (int i = 0; i < 40; i++) {
        Pod stored = create(Pods.restricted(ns, "web-" + i, WEB));
        assertEquals(
            "keepalive", annotations(stored).get(PodMarks.POLICY_ANNOTATION), "pod web-" + i);
      }
    } finally {
      stop.set(true);
      churn.join();
    }
  }

  @Test
  void oneAggregatedEventForManyPods() {
    String ns = namespaceWithPolicy("events", Map.of(), InjectionStrategy.Auto, p -> {});
    for (int i = 0; i < 6; i++) {
      create(Pods.restricted(ns, "web-" + i, WEB));
    }
    await()
        .atMost(WITHIN)
        .untilAsserted(
            () -> {
              List<Event> injected =
                  client.v1().events().inNamespace(ns).list().getItems().stream()
                      .filter(e -> "Injected".equals(e.getReason()))
                      .toList();
              assertEquals(1, injected.size(), injected.toString());
              assertEquals(6, injected.get(0).getCount());
              assertEquals("KeepalivePolicy", injected.get(0).getInvolvedObject().getKind());
            });
  }

  /**
   * Anyone who can reach the webhook's port can post a review: the webhook answers it (it cannot
   * tell), but what it tells the cluster comes from pods that exist. Fifty reviews for pods that
   * never were make no Event; the one real pod makes one, under its own name.
   */
  @Test
  void reviewsForPodsThatNeverExistMakeNoEvent() throws Exception {
    String ns = namespaceWithPolicy("ghosts", Map.of(), InjectionStrategy.Auto, p -> {});
    HttpClient http = HttpClient.newBuilder().sslContext(TrustingAnyone.context()).build();
    for (int i = 0; i < 50; i++) {
      String review =
          """
          {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-%d",
           "kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"%s",
           "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ghost-%d","labels":{"app":"web"}},
                     "spec":{"containers":[{"name":"app","image":"app:1"}]}}}}
          """
              .formatted(i, ns, i);
      var answer =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "https://127.0.0.1:" + ControlPlaneResource.webhookPort + "/mutate-pods"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(review))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
    }
    create(Pods.restricted(ns, "real-1", WEB));
    Event injected = awaitEvent(ns, "Injected");
    Thread.sleep(7_000); // a flush or more later, still nothing about the ghosts
    injected = awaitEvent(ns, "Injected");
    assertEquals(1, injected.getCount(), injected.getMessage());
    assertTrue(injected.getMessage().contains("(last pod: real-1)"), injected.getMessage());
    assertTrue(
        client.v1().events().inNamespace(ns).list().getItems().stream()
            .noneMatch(e -> e.getMessage().contains("ghost")));
  }

  /**
   * etcd stores at most 1.5 MiB per object: a pod just below that stores as the user wrote it, and
   * must not fail to store because of what the webhook would add (failurePolicy Ignore does not
   * help: the webhook answered). It is created uninjected, skipped as PodTooLarge.
   */
  @Test
  void aPodTooLargeToInjectIsCreatedAsItIs() {
    // the most a policy may add: four targets of 2000 characters (8 KiB together)
    String ns =
        namespaceWithPolicy(
            "large",
            Map.of(),
            InjectionStrategy.Auto,
            p -> {
              HttpExpectations http = new HttpExpectations();
              for (int i = 0; i < 4; i++) {
                http.getTargets()
                    .add(new HttpTarget("http://api-" + i + "/" + "p".repeat(1980), null));
              }
              p.getSpec().setHttp(http);
            });
    double before = skips(SkipReason.PodTooLarge);
    // stores as it is (the limit is between 1,570,000 and 1,580,000 bytes of such a pod)
    Pod pod = Pods.restricted(ns, "large-1", WEB);
    pod.getSpec()
        .getContainers()
        .get(0)
        .setEnv(List.of(new EnvVar("BIG", "x".repeat(1_565_000), null)));
    Pod stored = create(pod);
    assertEquals(Map.of(), annotations(stored));
    assertEquals(1, allContainers(stored).size());
    assertEquals(1, skips(SkipReason.PodTooLarge) - before);
  }

  double skips(SkipReason reason) {
    var counter = registry.find("keepalive.webhook.pods").tag("reason", reason.name()).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void registrationHasTheAgreedShape() {
    var config =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(settings.webhook().configurationName())
            .get();
    MutatingWebhook hook = config.getWebhooks().get(0);
    assertEquals(WebhookRegistration.WEBHOOK_NAME, hook.getName());
    assertEquals(List.of("v1"), hook.getAdmissionReviewVersions());
    assertEquals("None", hook.getSideEffects());
    assertEquals("Never", hook.getReinvocationPolicy());
    assertEquals(List.of("CREATE"), hook.getRules().get(0).getOperations());
    assertEquals(List.of("pods"), hook.getRules().get(0).getResources());
    assertEquals(settings.webhook().url().orElseThrow(), hook.getClientConfig().getUrl());
    assertTrue(
        hook.getNamespaceSelector().getMatchExpressions().stream()
            .anyMatch(
                e ->
                    e.getKey().equals("kubernetes.io/metadata.name")
                        && e.getValues()
                            .containsAll(
                                List.of("kube-system", ControlPlaneResource.OPERATOR_NAMESPACE))));
    assertTrue(
        hook.getObjectSelector().getMatchExpressions().stream()
            .anyMatch(
                e ->
                    e.getKey().equals(PodMarks.COMPONENT_LABEL)
                        && e.getValues().contains(PodMarks.COMPONENT_VALUE)));
    String caBundle = new String(Base64.getDecoder().decode(hook.getClientConfig().getCaBundle()));
    var secret =
        client
            .secrets()
            .inNamespace(settings.namespace())
            .withName(settings.webhook().secretName())
            .get();
    assertEquals(
        caBundle, new String(Base64.getDecoder().decode(secret.getData().get(WebhookTls.CA_CERT))));
  }

  @Test
  void certificateInTheSecretIsReusedAndReissuedFromTheSameCa() {
    List<String> sans =
        WebhookCertificates.subjectAltNames(settings.webhook().serviceName(), settings.namespace());
    var authority = new CertificateAuthority(sans, Duration.ofDays(365));
    var first =
        WebhookTls.fromSecret(
            client,
            settings.namespace(),
            settings.webhook().secretName(),
            authority,
            Instant.now());
    var again =
        WebhookTls.fromSecret(
            client,
            settings.namespace(),
            settings.webhook().secretName(),
            authority,
            Instant.now());
    assertEquals(first, again, "a restart reuses the stored certificate");

    List<String> more = Stream.concat(sans.stream(), Stream.of("extra.example")).toList();
    var reissued =
        WebhookTls.fromSecret(
            client,
            settings.namespace(),
            settings.webhook().secretName(),
            new CertificateAuthority(more, Duration.ofDays(365)),
            Instant.now());
    assertEquals(first.ca(), reissued.ca(), "same CA, so the caBundle stays valid");
    assertFalse(first.serving().equals(reissued.serving()));
    assertTrue(
        WebhookCertificates.subjectAltNames(
                WebhookCertificates.certificate(reissued.serving().certificate()))
            .contains("extra.example"));
  }

  Event awaitEvent(String ns, String reason) {
    return await()
        .atMost(WITHIN)
        .until(
            () ->
                client.v1().events().inNamespace(ns).list().getItems().stream()
                    .filter(e -> reason.equals(e.getReason()))
                    .findFirst()
                    .orElse(null),
            e -> e != null);
  }
}
