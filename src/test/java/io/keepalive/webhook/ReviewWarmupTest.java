package io.keepalive.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodInjector;
import io.keepalive.testing.TestSettings;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up goes through every decision a real policy can lead to: each strategy injected, the
 * refusal of a privileged init container under Pod Security restricted, a pod no policy selects.
 * Warmed on one policy only, the pods of another kind of policy paid about 0.8 ms more each in the
 * operator's first minute (bench/results/kyverno.md).
 */
class ReviewWarmupTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  List<String> decisions(ClusterFacts facts) throws Exception {
    var ca = WebhookCertificates.newCa("test-ca", Duration.ofDays(30), Instant.now());
    var serving =
        WebhookCertificates.issueServing(
            ca, List.of("127.0.0.1"), Duration.ofDays(10), Instant.now());
    ObjectMapper mapper = new ObjectMapper();
    return ReviewWarmup.run(
            vertx,
            serving,
            () -> new PodInjector(new InjectedContainers(TestSettings.defaults()), mapper),
            facts,
            ReviewWarmup.policies().size() * 2 + 2,
            2)
        .decisions();
  }

  @Test
  void everyStrategyAndRefusalIsTakenOnACurrentCluster() throws Exception {
    assertEquals(
        List.of(
            "Inject InitContainer",
            "Inject SecurityContext",
            "Skip NoMatchingPolicy",
            "Skip PodSecurityForbidsPrivileged"),
        decisions(new ClusterFacts(new KubeVersion(1, 34))));
  }

  @Test
  void onAClusterTooOldForPodSysctlsAutoWarmsTheInitContainer() throws Exception {
    assertEquals(
        List.of(
            "Inject InitContainer",
            "Skip ClusterTooOld",
            "Skip NoMatchingPolicy",
            "Skip PodSecurityForbidsPrivileged"),
        decisions(new ClusterFacts(new KubeVersion(1, 21))));
  }
}
