package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.status.RolloutProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which workload is restarted next, and why not the others: one rule per case. */
class RolloutPlannerTest {
  static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
  static final Map<String, String> WEB = Map.of("app", "web");
  static final String MARK = Workload.mark("web", 2);

  static Workload.Ref deployment(String name) {
    return new Workload.Ref(Workload.DEPLOYMENT, name);
  }

  static Workload workload(Workload.Ref ref, String mark, Instant at, Workload.Progress progress) {
    return new Workload(ref, WEB, mark, at, null, progress);
  }

  /** A situation of policy "web" at generation 2, one workload at a time, deadline 600 s. */
  static final class Given {
    boolean operatorNamespace;
    boolean permitted = true;
    int atOnce = 1;
    final Map<Workload.Ref, Integer> behind = new HashMap<>();
    final Map<Workload.Ref, Workload> workloads = new HashMap<>();
    final List<String> notRestartable = new ArrayList<>();
    RolloutProgress previous;
    int pods = -1;

    Given waiting(Workload w, int pods) {
      behind.put(w.ref(), pods);
      workloads.put(w.ref(), w);
      return this;
    }

    RolloutPlanner.Plan plan() {
      int podsBehind =
          pods >= 0
              ? pods
              : behind.values().stream().mapToInt(Integer::intValue).sum() + notRestartable.size();
      return RolloutPlanner.plan(
          new RolloutPlanner.Situation(
              "web",
              2,
              operatorNamespace,
              permitted,
              atOnce,
              Duration.ofSeconds(600),
              NOW,
              podsBehind,
              behind,
              workloads,
              notRestartable,
              labels -> "web".equals(labels.get("app")),
              previous));
    }
  }

  @Test
  void oneWorkloadAtATimeInNameOrder() {
    var plan =
        new Given()
            .waiting(workload(deployment("b"), null, null, Workload.Progress.complete()), 2)
            .waiting(workload(deployment("a"), null, null, Workload.Progress.complete()), 1)
            .plan();
    assertEquals(List.of(deployment("a")), plan.restartNow());
    assertEquals(List.of("Deployment/a"), plan.progress().getRestarting());
    assertEquals(List.of("Deployment/b"), plan.progress().getWaiting());
    assertEquals("Restarting", plan.condition().getReason());
    assertEquals(
        "3 pods run without generation 2. Restarting Deployment/a. Waiting: Deployment/b.",
        plan.condition().getMessage());
    assertTrue(plan.watching());
  }

  @Test
  void aWorkloadRestartedForThisGenerationIsNeverRestartedAgain() {
    // its rollout is under way: its old pods still run without the generation
    var plan =
        new Given()
            .waiting(
                workload(
                    deployment("a"),
                    MARK,
                    NOW.minusSeconds(30),
                    Workload.Progress.inProgress("1 of 2 new replicas updated")),
                2)
            .waiting(workload(deployment("b"), null, null, Workload.Progress.complete()), 1)
            .plan();
    assertEquals(List.of(), plan.restartNow(), "b waits for a");
    assertEquals(List.of("Deployment/a"), plan.progress().getRestarting());
    assertEquals(List.of("Deployment/b"), plan.progress().getWaiting());

    // a restart for an older generation does not count
    var older =
        new Given()
            .waiting(
                workload(
                    deployment("a"),
                    Workload.mark("web", 1),
                    NOW.minusSeconds(30),
                    Workload.Progress.complete()),
                2)
            .plan();
    assertEquals(List.of(deployment("a")), older.restartNow());
  }

  @Test
  void aRolloutThatDoesNotProgressStopsEverything() {
    var stalled =
        new Given()
            .waiting(
                workload(
                    deployment("a"),
                    MARK,
                    NOW.minusSeconds(30),
                    new Workload.Progress(
                        Workload.State.Stalled, "its rollout exceeded its progress deadline")),
                1)
            .waiting(workload(deployment("b"), null, null, Workload.Progress.complete()), 1)
            .plan();
    assertEquals(List.of(), stalled.restartNow());
    assertEquals("RolloutStalled", stalled.condition().getReason());
    assertEquals("False", stalled.condition().getStatus());
    assertEquals(
        "Deployment/a: its rollout exceeded its progress deadline. No other workload is restarted"
            + " for this policy until it rolls out: fix it or roll it back. Waiting: Deployment/b.",
        stalled.condition().getMessage());
    assertEquals(
        List.of("Deployment/a: its rollout exceeded its progress deadline"),
        stalled.progress().getFailed());

    // a StatefulSet has no deadline of its own: the operator's applies
    var slow =
        new Given()
            .waiting(
                workload(
                    new Workload.Ref(Workload.STATEFUL_SET, "db"),
                    MARK,
                    NOW.minusSeconds(601),
                    Workload.Progress.inProgress("1 of 3 pods ready")),
                2)
            .plan();
    assertEquals("RolloutStalled", slow.condition().getReason());
    assertTrue(
        slow.condition()
            .getMessage()
            .startsWith(
                "StatefulSet/db: no progress within 600 s of its restart: 1 of 3 pods ready"),
        slow.condition().getMessage());

    // rolled out long ago, yet its pods still run without the generation
    var uninjected =
        new Given()
            .waiting(
                workload(
                    deployment("a"), MARK, NOW.minusSeconds(601), Workload.Progress.complete()),
                2)
            .plan();
    assertTrue(
        uninjected
            .progress()
            .getFailed()
            .get(0)
            .contains("rolled out, yet 2 pods still run without generation 2"),
        uninjected.progress().getFailed().toString());
  }

  @Test
  void podsOfNoWorkloadOfOursAndWorkloadsARestartWouldNotBringInLineAreReported() {
    Given given = new Given();
    given.notRestartable.add("pod solo: no workload owns it (a bare pod)");
    given.notRestartable.add("pod job-x: owned by Job/x");
    given.waiting(
        new Workload(
            new Workload.Ref(Workload.STATEFUL_SET, "db"),
            WEB,
            null,
            null,
            "its updateStrategy is OnDelete",
            Workload.Progress.complete()),
        1);
    given.waiting(
        new Workload(
            deployment("other"),
            Map.of("app", "other"),
            null,
            null,
            null,
            Workload.Progress.complete()),
        1);
    var plan = given.plan();
    assertEquals(List.of(), plan.restartNow());
    assertEquals("PodsNeedManualRestart", plan.condition().getReason());
    assertEquals(
        List.of(
            "pod solo: no workload owns it (a bare pod)",
            "pod job-x: owned by Job/x",
            "Deployment/other: the policy does not select its pod template's labels",
            "StatefulSet/db: a restart would not replace its pods, its updateStrategy is OnDelete"),
        plan.progress().getNotRestarted());
    assertFalse(plan.watching());
  }

  @Test
  void neverInTheOperatorsNamespaceAndNeverWithoutTheRights() {
    Given operator =
        new Given().waiting(workload(deployment("a"), null, null, Workload.Progress.complete()), 1);
    operator.operatorNamespace = true;
    var inOwn = operator.plan();
    assertEquals(List.of(), inOwn.restartNow());
    assertEquals("OperatorNamespace", inOwn.condition().getReason());

    Given forbidden = new Given();
    forbidden.permitted = false;
    forbidden.pods = 3;
    var notPermitted = forbidden.plan();
    assertEquals(List.of(), notPermitted.restartNow());
    assertEquals("RolloutNotPermitted", notPermitted.condition().getReason());
    assertTrue(notPermitted.condition().getMessage().contains("rollout.enabled=true"));
  }

  @Test
  void whenEveryPodRunsTheGenerationTheRestartedAreListed() {
    RolloutProgress previous = new RolloutProgress();
    previous.setGeneration(2L);
    previous.setRestarted(List.of("Deployment/a"));
    previous.setRestarting(List.of("Deployment/b"));
    Given given = new Given();
    given.previous = previous;
    var plan = given.plan();
    assertEquals("True", plan.condition().getStatus());
    assertEquals("AllPodsCurrent", plan.condition().getReason());
    assertEquals(
        "Every selected pod runs generation 2; restarted for it: Deployment/a, Deployment/b.",
        plan.condition().getMessage());
    assertEquals(List.of("Deployment/a", "Deployment/b"), plan.progress().getRestarted());
    assertNull(plan.progress().getRestarting());

    // a new generation starts a new list
    previous.setGeneration(1L);
    assertNull(given.plan().progress().getRestarted());
  }

  @Test
  void moreAtOnceWhenAllowedAndLongListsSayHowManyMore() {
    Given given = new Given();
    given.atOnce = 2;
    for (int i = 0; i < 30; i++) {
      given.waiting(
          workload(deployment(String.format("w%02d", i)), null, null, Workload.Progress.complete()),
          1);
    }
    var plan = given.plan();
    assertEquals(List.of(deployment("w00"), deployment("w01")), plan.restartNow());
    assertEquals(RolloutProgress.MAX_ITEMS, plan.progress().getWaiting().size());
    assertEquals("and 9 more", plan.progress().getWaiting().get(RolloutProgress.MAX_ITEMS - 1));
  }

  @Test
  void workloadsThatCannotBeReadAreAStall() {
    var plan = RolloutPlanner.unreadable(2, 3, "Forbidden: replicasets.apps \"web-6d4\"");
    assertEquals(List.of(), plan.restartNow());
    assertEquals("RolloutStalled", plan.condition().getReason());
    assertEquals(
        "3 pods run without generation 2, and their workloads cannot be read: Forbidden:"
            + " replicasets.apps \"web-6d4\". It is tried again at the next reconcile.",
        plan.condition().getMessage());
  }

  @Test
  void aFailedRestartIsAStall() {
    var plan =
        new Given()
            .waiting(workload(deployment("a"), null, null, Workload.Progress.complete()), 1)
            .plan();
    var failed = RolloutPlanner.restartFailed(plan, deployment("a"), "Forbidden");
    assertEquals(List.of(), failed.restartNow());
    assertNull(failed.progress().getRestarting());
    assertEquals(
        List.of("Deployment/a: the restart failed: Forbidden"), failed.progress().getFailed());
    assertEquals("RolloutStalled", failed.condition().getReason());
  }
}
