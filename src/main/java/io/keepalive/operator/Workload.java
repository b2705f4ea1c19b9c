package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Deployment, StatefulSet or DaemonSet as the rollout sees it: the labels its pods get, the mark
 * of the operator's last restart, whether a restart would replace its pods at all, and how far its
 * rollout is. Built by pure functions from what the API server returns; the progress rules are
 * those of {@code kubectl rollout status}.
 *
 * @param restartedFor the {@link #RESTARTED_FOR} mark of its pod template, or null
 * @param restartedAt when it was last restarted (kubectl's restartedAt annotation), or null
 * @param notReplacing why a restart would not replace its pods (paused, OnDelete, a partition), or
 *     null
 */
record Workload(
    Ref ref,
    Map<String, String> templateLabels,
    String restartedFor,
    Instant restartedAt,
    String notReplacing,
    Progress progress) {

  /** The annotation `kubectl rollout restart` sets on the pod template; a change rolls it. */
  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  /** Our mark on the pod template: which policy generation the last restart was for. */
  static final String RESTARTED_FOR = "keepalive.io/restarted-for";

  static final String DEPLOYMENT = "Deployment";
  static final String STATEFUL_SET = "StatefulSet";
  static final String DAEMON_SET = "DaemonSet";

  /**
   * The kinds a restart brings in line: their controllers replace pods when the template changes.
   */
  static final List<String> KINDS = List.of(DEPLOYMENT, STATEFUL_SET, DAEMON_SET);

  /** A workload by kind and name, in its policy's namespace; shown as Kind/name. */
  record Ref(String kind, String name) implements Comparable<Ref> {
    @Override
    public int compareTo(Ref other) {
      int byKind = Integer.compare(KINDS.indexOf(kind), KINDS.indexOf(other.kind));
      return byKind != 0 ? byKind : name.compareTo(other.name);
    }

    @Override
    public String toString() {
      return kind + "/" + name;
    }
  }

  enum State {
    Complete,
    InProgress,
    /** The controller itself says it gave up (a Deployment past its progress deadline). */
    Stalled
  }

  record Progress(State state, String message) {
    static Progress complete() {
      return new Progress(State.Complete, "rolled out");
    }

    static Progress inProgress(String message) {
      return new Progress(State.InProgress, message);
    }
  }

  /** The mark a restart for this policy generation leaves. */
  static String mark(String policy, long generation) {
    return policy + ":" + generation;
  }

  static Workload of(Deployment d) {
    var spec = d.getSpec();
    String notReplacing = Boolean.TRUE.equals(spec.getPaused()) ? "it is paused" : null;
    return of(DEPLOYMENT, d, spec.getTemplate(), notReplacing, deploymentProgress(d));
  }

  static Workload of(StatefulSet s) {
    var spec = s.getSpec();
    String notReplacing = null;
    var strategy = spec.getUpdateStrategy();
    if (strategy != null && "OnDelete".equals(strategy.getType())) {
      notReplacing = "its updateStrategy is OnDelete";
    } else if (strategy != null
        && strategy.getRollingUpdate() != null
        && strategy.getRollingUpdate().getPartition() != null
        && strategy.getRollingUpdate().getPartition() > 0) {
      notReplacing = "its rolling update has a partition";
    }
    return of(STATEFUL_SET, s, spec.getTemplate(), notReplacing, statefulSetProgress(s));
  }

  static Workload of(DaemonSet d) {
    var strategy = d.getSpec().getUpdateStrategy();
    String notReplacing =
        strategy != null && "OnDelete".equals(strategy.getType())
            ? "its updateStrategy is OnDelete"
            : null;
    return of(DAEMON_SET, d, d.getSpec().getTemplate(), notReplacing, daemonSetProgress(d));
  }

  private static Workload of(
      String kind,
      HasMetadata workload,
      PodTemplateSpec template,
      String notReplacing,
      Progress progress) {
    Map<String, String> annotations =
        template.getMetadata() == null || template.getMetadata().getAnnotations() == null
            ? Map.of()
            : template.getMetadata().getAnnotations();
    Map<String, String> labels =
        template.getMetadata() == null || template.getMetadata().getLabels() == null
            ? Map.of()
            : template.getMetadata().getLabels();
    return new Workload(
        new Ref(kind, workload.getMetadata().getName()),
        labels,
        annotations.get(RESTARTED_FOR),
        instant(annotations.get(RESTARTED_AT)),
        notReplacing,
        progress);
  }

  static Progress deploymentProgress(Deployment d) {
    var status = d.getStatus();
    if (status == null
        || observedBehind(d.getMetadata().getGeneration(), status.getObservedGeneration())) {
      return Progress.inProgress("waiting for the Deployment controller to see the change");
    }
    DeploymentCondition progressing = deploymentCondition(d, "Progressing");
    if (progressing != null && "ProgressDeadlineExceeded".equals(progressing.getReason())) {
      DeploymentCondition failure = deploymentCondition(d, "ReplicaFailure");
      return new Progress(
          State.Stalled,
          "its rollout exceeded its progress deadline ("
              + progressing.getMessage()
              + (failure != null && "True".equals(failure.getStatus())
                  ? "; " + failure.getReason() + ": " + failure.getMessage()
                  : "")
              + ")");
    }
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int updated = zero(status.getUpdatedReplicas());
    if (updated < replicas) {
      return Progress.inProgress(updated + " of " + replicas + " new replicas updated");
    }
    if (zero(status.getReplicas()) > updated) {
      return Progress.inProgress(
          (zero(status.getReplicas()) - updated) + " old replicas pending termination");
    }
    if (zero(status.getAvailableReplicas()) < updated) {
      return Progress.inProgress(
          zero(status.getAvailableReplicas()) + " of " + updated + " updated replicas available");
    }
    return Progress.complete();
  }

  static Progress statefulSetProgress(StatefulSet s) {
    var status = s.getStatus();
    if (status == null
        || observedBehind(s.getMetadata().getGeneration(), status.getObservedGeneration())) {
      return Progress.inProgress("waiting for the StatefulSet controller to see the change");
    }
    int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    if (zero(status.getReadyReplicas()) < replicas) {
      return Progress.inProgress(
          zero(status.getReadyReplicas()) + " of " + replicas + " pods ready");
    }
    if (!Objects.equals(status.getUpdateRevision(), status.getCurrentRevision())) {
      return Progress.inProgress(
          zero(status.getUpdatedReplicas()) + " of " + replicas + " pods updated");
    }
    return Progress.complete();
  }

  static Progress daemonSetProgress(DaemonSet d) {
    var status = d.getStatus();
    if (status == null
        || observedBehind(d.getMetadata().getGeneration(), status.getObservedGeneration())) {
      return Progress.inProgress("waiting for the DaemonSet controller to see the change");
    }
    int desired = zero(status.getDesiredNumberScheduled());
    if (zero(status.getUpdatedNumberScheduled()) < desired) {
      return Progress.inProgress(
          zero(status.getUpdatedNumberScheduled()) + " of " + desired + " pods updated");
    }
    if (zero(status.getNumberAvailable()) < desired) {
      return Progress.inProgress(
          zero(status.getNumberAvailable()) + " of " + desired + " updated pods available");
    }
    return Progress.complete();
  }

  private static boolean observedBehind(Long generation, Long observed) {
    return generation != null && (observed == null || observed < generation);
  }

  private static DeploymentCondition deploymentCondition(Deployment d, String type) {
    List<DeploymentCondition> conditions = d.getStatus().getConditions();
    return conditions == null
        ? null
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static int zero(Integer n) {
    return n == null ? 0 : n;
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null; // set by someone else, in another format: not ours to read
    }
  }
}
