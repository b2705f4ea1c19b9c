package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A workload's progress as `kubectl rollout status` judges it, and what a restart would do. */
class WorkloadTest {

  static DeploymentBuilder deployment(int replicas, int updated, int total, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withGeneration(3L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .withAnnotations(
            Map.of(Workload.RESTARTED_AT, "2026-05-01T10:00:00Z", Workload.RESTARTED_FOR, "web:2"))
        .endMetadata()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(3L)
        .withReplicas(total)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(available)
        .endStatus();
  }

  @Test
  void deploymentProgress() {
    Workload done = Workload.of(deployment(2, 2, 2, 2).build());
    assertEquals(Workload.State.Complete, done.progress().state());
    assertEquals(new Workload.Ref("Deployment", "web"), done.ref());
    assertEquals("web:2", done.restartedFor());
    assertEquals(Instant.parse("2026-05-01T10:00:00Z"), done.restartedAt());
    assertEquals(Map.of("app", "web"), done.templateLabels());
    assertNull(done.notReplacing());

    assertEquals(
        "1 of 2 new replicas updated",
        Workload.deploymentProgress(deployment(2, 1, 3, 2).build()).message());
    assertEquals(
        "1 old replicas pending termination",
        Workload.deploymentProgress(deployment(2, 2, 3, 2).build()).message());
    assertEquals(
        "1 of 2 updated replicas available",
        Workload.deploymentProgress(deployment(2, 2, 2, 1).build()).message());
    Deployment unseen =
        deployment(2, 2, 2, 2).editStatus().withObservedGeneration(2L).endStatus().build();
    assertEquals(Workload.State.InProgress, Workload.deploymentProgress(unseen).state());
  }

  @Test
  void aDeploymentPastItsProgressDeadlineStallsAndSaysWhy() {
    Deployment stuck =
        deployment(1, 0, 1, 1)
            .editStatus()
            .addNewCondition()
            .withType("Progressing")
            .withStatus("False")
            .withReason("ProgressDeadlineExceeded")
            .withMessage("ReplicaSet \"web-6d4\" has timed out progressing.")
            .endCondition()
            .addNewCondition()
            .withType("ReplicaFailure")
            .withStatus("True")
            .withReason("FailedCreate")
            .withMessage("pods \"web-6d4-x\" is forbidden: exceeded quota: mem")
            .endCondition()
            .endStatus()
            .build();
    Workload.Progress p = Workload.deploymentProgress(stuck);
    assertEquals(Workload.State.Stalled, p.state());
    assertEquals(
        "its rollout exceeded its progress deadline (ReplicaSet \"web-6d4\" has timed out"
            + " progressing.; FailedCreate: pods \"web-6d4-x\" is forbidden: exceeded quota: mem)",
        p.message());
  }

  @Test
  void restartsThatWouldNotReplacePods() {
    assertEquals(
        "it is paused",
        Workload.of(deployment(1, 1, 1, 1).editSpec().withPaused(true).endSpec().build())
            .notReplacing());
    StatefulSet onDelete =
        statefulSet()
            .editSpec()
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .endSpec()
            .build();
    assertEquals("its updateStrategy is OnDelete", Workload.of(onDelete).notReplacing());
    StatefulSet partitioned =
        statefulSet()
            .editSpec()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withPartition(2)
            .endRollingUpdate()
            .endUpdateStrategy()
            .endSpec()
            .build();
    assertEquals("its rolling update has a partition", Workload.of(partitioned).notReplacing());
    DaemonSet dsOnDelete =
        daemonSet()
            .editSpec()
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .endSpec()
            .build();
    assertEquals("its updateStrategy is OnDelete", Workload.of(dsOnDelete).notReplacing());
  }

  @Test
  void statefulSetAndDaemonSetProgress() {
    assertEquals(
        Workload.State.Complete, Workload.statefulSetProgress(statefulSet().build()).state());
    StatefulSet rolling =
        statefulSet()
            .editStatus()
            .withUpdateRevision("db-2")
            .withUpdatedReplicas(1)
            .endStatus()
            .build();
    assertEquals("1 of 3 pods updated", Workload.statefulSetProgress(rolling).message());
    StatefulSet notReady = statefulSet().editStatus().withReadyReplicas(2).endStatus().build();
    assertEquals("2 of 3 pods ready", Workload.statefulSetProgress(notReady).message());

    assertEquals(Workload.State.Complete, Workload.daemonSetProgress(daemonSet().build()).state());
    DaemonSet updating = daemonSet().editStatus().withUpdatedNumberScheduled(1).endStatus().build();
    assertEquals("1 of 2 pods updated", Workload.daemonSetProgress(updating).message());
  }

  private static StatefulSetBuilder statefulSet() {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("db")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .withNewTemplate()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReadyReplicas(3)
        .withUpdatedReplicas(3)
        .withCurrentRevision("db-1")
        .withUpdateRevision("db-1")
        .endStatus();
  }

  private static DaemonSetBuilder daemonSet() {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName("agent")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withDesiredNumberScheduled(2)
        .withUpdatedNumberScheduled(2)
        .withNumberAvailable(2)
        .endStatus();
  }
}
