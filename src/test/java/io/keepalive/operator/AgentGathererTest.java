package io.keepalive.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keepalive.testing.Pods;
import io.keepalive.testing.TestClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real agent endpoint on loopback, a clock the test moves: when the gatherer asks, and what
 * reconcile sees.
 */
class AgentGathererTest {
  static final Duration INTERVAL = Duration.ofSeconds(30);
  static final String IN_SYNC =
      "{\"sysctls\":{\"inSync\":true,\"drift\":[]},\"census\":{\"established\":3,\"keepaliveOff\":1}}";
  static final String DRIFTED =
      "{\"sysctls\":{\"inSync\":false,\"drift\":[\"tcp_keepalive_time: observed 7200, desired 120\"]}}";

  final AtomicInteger asked = new AtomicInteger();
  final AtomicReference<String> status = new AtomicReference<>(IN_SYNC);
  final TestClock clock = new TestClock(Instant.parse("2026-05-01T10:00:00Z"));
  final BlockingQueue<ResourceID> woken = new LinkedBlockingQueue<>();
  HttpServer agent;
  AgentGatherer gatherer;
  Pod pod;

  @BeforeEach
  void agent() throws IOException {
    agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    agent.createContext(
        "/status",
        exchange -> {
          asked.incrementAndGet();
          byte[] body = status.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    agent.start();
    gatherer = new AgentGatherer(INTERVAL, clock);
    gatherer.onChange(woken::add);
    pod =
        Pods.named("web-1")
            .uid("uid-1")
            .carrying("web", 1)
            .agent(agent.getAddress().getPort())
            .running("127.0.0.1")
            .build();
  }

  @AfterEach
  void stop() {
    agent.stop(0);
  }

  private ResourceID nextWake() throws InterruptedException {
    return woken.poll(10, TimeUnit.SECONDS);
  }

  @Test
  void aFirstAskIsAwaitedNotWaitedForAndItsAnswerWakesThePolicy() throws Exception {
    AgentAnswers first = gatherer.latest(List.of(pod));
    assertEquals(1, first.awaited());
    assertEquals(1, first.runningPods());
    assertTrue(first.reports().isEmpty());
    assertEquals(new ResourceID("web", "ns"), nextWake());

    AgentAnswers second = gatherer.latest(List.of(pod));
    assertEquals(0, second.awaited());
    assertEquals(1, second.reports().size());
    assertTrue(second.reports().get(0).inSync());
    assertEquals(3, second.reports().get(0).established());
  }

  @Test
  void anAgentIsAskedOncePerIntervalAndItsLastAnswerServesMeanwhile() throws Exception {
    gatherer.latest(List.of(pod));
    nextWake();
    clock.advance(INTERVAL.minusSeconds(1));
    gatherer.latest(List.of(pod));
    assertEquals(1, asked.get(), "younger than the interval: not asked again");

    status.set(DRIFTED);
    clock.advance(Duration.ofSeconds(2));
    AgentAnswers meanwhile = gatherer.latest(List.of(pod));
    assertTrue(
        meanwhile.reports().get(0).inSync(),
        "the last answer serves while the new one is on its way");
    assertEquals(new ResourceID("web", "ns"), nextWake(), "a changed answer wakes the policy");
    assertFalse(gatherer.latest(List.of(pod)).reports().get(0).inSync());
    assertEquals(2, asked.get());

    clock.advance(INTERVAL);
    gatherer.latest(List.of(pod));
    await().atMost(Duration.ofSeconds(10)).until(() -> asked.get() == 3);
    assertNull(woken.poll(500, TimeUnit.MILLISECONDS), "the same answer again wakes nobody");
  }

  @Test
  void anAgentThatStopsAnsweringIsSilentWithTheReason() throws Exception {
    gatherer.latest(List.of(pod));
    nextWake();
    agent.stop(0);
    clock.advance(INTERVAL);
    gatherer.latest(List.of(pod));
    nextWake();
    AgentAnswers answers = gatherer.latest(List.of(pod));
    assertTrue(answers.reports().isEmpty());
    assertTrue(answers.silent().get("web-1").contains("/status"), answers.silent().toString());
  }

  @Test
  void podsWithoutAnAgentOrNotRunningAreNotAsked() {
    Pod noAgent = Pods.named("no-agent").carrying("web", 1).running("127.0.0.1").build();
    Pod pending = Pods.named("pending").carrying("web", 1).agent(9901).phase("Pending").build();
    AgentAnswers answers = gatherer.latest(List.of(noAgent, pending));
    assertEquals(1, answers.podsWithAgent());
    assertEquals(0, answers.runningPods());
    assertEquals(0, answers.awaited());
  }

  @Test
  void theAgentPortIsTheInjectedContainersNotAnAnnotationATenantCanEdit() {
    Pod edited =
        Pods.named("web-1")
            .carrying("web", 1)
            .agent(9901)
            .annotations(Map.of("keepalive.io/agent-port", "6443"))
            .build();
    assertEquals(9901, AgentGatherer.agentPort(edited));
    assertEquals(
        0,
        AgentGatherer.agentPort(
            Pods.named("no-agent")
                .carrying("web", 1)
                .annotations(Map.of("keepalive.io/agent-port", "9901"))
                .build()),
        "an annotation alone is no agent");
    assertEquals(
        0,
        AgentGatherer.agentPort(
            Pods.named("host").carrying("web", 1).agent(9901).hostNetwork().build()),
        "a pod on the node's network is never asked: its IP is the node's");
  }
}
