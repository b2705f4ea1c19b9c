package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.status.RolloutProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Decides, for one policy with spec.rollout Automatic, which workload to restart next and why, and
 * what the status says about it. Pure. The rules:
 *
 * <ul>
 *   <li>nothing in the operator's own namespace, nothing without the rights (chart value
 *       rollout.enabled);
 *   <li>only the Deployments, StatefulSets and DaemonSets of selected pods that run without the
 *       current generation, and only when a restart replaces their pods and their pod template is
 *       selected by the policy (else the pods are reported, never touched; so are bare pods and
 *       pods of other owners);
 *   <li>a workload is restarted at most once per generation (the mark on its template says so);
 *   <li>at most {@code workloadsAtOnce} rollouts at a time, the next only when one finished;
 *   <li>a rollout that does not progress (the controller gave up, or the progress deadline passed
 *       since the restart) stops everything for this policy until it does.
 * </ul>
 */
final class RolloutPlanner {
  static final String REASON_ALL_CURRENT = "AllPodsCurrent";
  static final String REASON_RESTARTING = "Restarting";
  static final String REASON_STALLED = "RolloutStalled";
  static final String REASON_NOT_PERMITTED = "RolloutNotPermitted";
  static final String REASON_OPERATOR_NAMESPACE = "OperatorNamespace";
  static final String REASON_MANUAL_RESTART = "PodsNeedManualRestart";

  private RolloutPlanner() {}

  /**
   * What the planner knows when the policy reconciles.
   *
   * @param behind pods that run without the generation, per workload that owns them
   * @param workloads those workloads as the API server has them now (a missing one is gone)
   * @param notRestartable pods no workload of ours owns, each "pod name: why"
   * @param selects whether the policy's selector selects a set of labels
   * @param previous the rollout progress on the status, or null
   */
  record Situation(
      String policy,
      long generation,
      boolean operatorNamespace,
      boolean permitted,
      int workloadsAtOnce,
      Duration progressDeadline,
      Instant now,
      int podsBehind,
      Map<Workload.Ref, Integer> behind,
      Map<Workload.Ref, Workload> workloads,
      List<String> notRestartable,
      Predicate<Map<String, String>> selects,
      RolloutProgress previous) {}

  /**
   * @param restartNow the workloads to restart in this reconcile
   * @param watching a rollout is under way: reconcile again soon, its progress wakes no one
   */
  record Plan(
      List<Workload.Ref> restartNow,
      RolloutProgress progress,
      Condition condition,
      boolean watching) {}

  static Plan plan(Situation s) {
    String generation = "generation " + s.generation();
    RolloutProgress progress = new RolloutProgress();
    progress.setGeneration(s.generation());
    Set<String> restarted = new LinkedHashSet<>();
    RolloutProgress before = s.previous();
    if (before != null
        && before.getGeneration() != null
        && before.getGeneration() == s.generation()) {
      // restarted for this generation earlier: finished once their pods no longer wait
      addAll(restarted, before.getRestarted());
      for (String ref : nonNull(before.getRestarting())) {
        if (s.behind().keySet().stream().noneMatch(r -> r.toString().equals(ref))) {
          restarted.add(ref);
        }
      }
    }
    progress.setRestarted(shown(restarted));

    if (s.podsBehind() == 0) {
      return new Plan(
          List.of(),
          progress,
          condition(
              true,
              REASON_ALL_CURRENT,
              "Every selected pod runs "
                  + generation
                  + (restarted.isEmpty()
                      ? "."
                      : "; restarted for it: " + String.join(", ", restarted) + ".")),
          false);
    }
    String behind = PolicyStatusBuilder.pods(s.podsBehind()) + " run without " + generation;
    if (s.operatorNamespace()) {
      return new Plan(
          List.of(),
          progress,
          condition(
              false,
              REASON_OPERATOR_NAMESPACE,
              behind
                  + ". The operator never restarts workloads in its own namespace: restart them "
                  + "yourself (kubectl rollout restart)."),
          false);
    }
    if (!s.permitted()) {
      return new Plan(
          List.of(),
          progress,
          condition(
              false,
              REASON_NOT_PERMITTED,
              behind
                  + ". spec.rollout is Automatic, but the operator was installed without the right "
                  + "to restart workloads (chart value rollout.enabled=true): restart them yourself "
                  + "(kubectl rollout restart)."),
          false);
    }

    List<String> notRestarted = new ArrayList<>(s.notRestartable());
    List<String> failed = new ArrayList<>();
    List<Workload.Ref> restarting = new ArrayList<>();
    List<Workload.Ref> waiting = new ArrayList<>();
    String mark = Workload.mark(s.policy(), s.generation());
    for (Map.Entry<Workload.Ref, Integer> e : new TreeMap<>(s.behind()).entrySet()) {
      Workload w = s.workloads().get(e.getKey());
      if (w == null) {
        continue; // gone since its pods were listed
      }
      if (w.notReplacing() != null) {
        notRestarted.add(w.ref() + ": a restart would not replace its pods, " + w.notReplacing());
      } else if (!s.selects().test(w.templateLabels())) {
        notRestarted.add(w.ref() + ": the policy does not select its pod template's labels");
      } else if (!mark.equals(w.restartedFor())) {
        waiting.add(w.ref());
      } else if (w.progress().state() == Workload.State.Stalled) {
        failed.add(w.ref() + ": " + w.progress().message());
      } else if (pastDeadline(w, s)) {
        failed.add(
            w.ref()
                + ": "
                + (w.progress().state() == Workload.State.Complete
                    ? "rolled out, yet "
                        + PolicyStatusBuilder.pods(e.getValue())
                        + " still run without "
                        + generation
                        + " (was the webhook reachable?)"
                    : "no progress within "
                        + s.progressDeadline().toSeconds()
                        + " s of its restart: "
                        + w.progress().message()));
      } else {
        // under way; rolled out too when the pods it replaces are still terminating
        restarting.add(w.ref());
      }
    }

    List<Workload.Ref> restartNow = new ArrayList<>();
    if (failed.isEmpty()) {
      int free = Math.max(0, s.workloadsAtOnce() - restarting.size());
      restartNow.addAll(waiting.subList(0, Math.min(free, waiting.size())));
      waiting.removeAll(restartNow);
      restarting.addAll(restartNow);
    }
    progress.setRestarting(shown(restarting.stream().map(Workload.Ref::toString).toList()));
    progress.setWaiting(shown(waiting.stream().map(Workload.Ref::toString).toList()));
    progress.setFailed(shown(failed));
    progress.setNotRestarted(shown(notRestarted));

    Condition condition;
    String waitingNote =
        waiting.isEmpty() ? "" : " Waiting: " + String.join(", ", progress.getWaiting()) + ".";
    String manualNote =
        notRestarted.isEmpty()
            ? ""
            : " Restart yourself: " + String.join("; ", progress.getNotRestarted()) + ".";
    if (!failed.isEmpty()) {
      condition =
          condition(
              false,
              REASON_STALLED,
              failed.get(0)
                  + ". No other workload is restarted for this policy until it rolls out: fix it "
                  + "or roll it back."
                  + waitingNote
                  + manualNote);
    } else if (!restarting.isEmpty()) {
      condition =
          condition(
              false,
              REASON_RESTARTING,
              behind
                  + ". Restarting "
                  + String.join(", ", progress.getRestarting())
                  + "."
                  + waitingNote
                  + manualNote);
    } else {
      condition =
          condition(
              false,
              REASON_MANUAL_RESTART,
              behind + "; no workload the operator restarts owns them." + manualNote);
    }
    return new Plan(List.copyOf(restartNow), progress, condition, !restarting.isEmpty());
  }

  /** The plan when the workloads of the waiting pods cannot be read: nothing restarted. */
  static Plan unreadable(long generation, int podsBehind, String error) {
    RolloutProgress progress = new RolloutProgress();
    progress.setGeneration(generation);
    return new Plan(
        List.of(),
        progress,
        condition(
            false,
            REASON_STALLED,
            PolicyStatusBuilder.pods(podsBehind)
                + " run without generation "
                + generation
                + ", and their workloads cannot be read: "
                + error
                + ". It is tried again at the next reconcile."),
        false);
  }

  /**
   * The plan after the restart of {@code ref} failed: it counts as a rollout that did not progress,
   * so nothing else is restarted until a later reconcile manages it.
   */
  static Plan restartFailed(Plan plan, Workload.Ref ref, String error) {
    RolloutProgress progress = plan.progress();
    List<String> restarting = new ArrayList<>(nonNull(progress.getRestarting()));
    restarting.remove(ref.toString());
    progress.setRestarting(restarting.isEmpty() ? null : restarting);
    List<String> failed = new ArrayList<>(nonNull(progress.getFailed()));
    String line = ref + ": the restart failed: " + error;
    failed.add(0, line);
    progress.setFailed(shown(failed));
    return new Plan(
        List.of(),
        progress,
        condition(false, REASON_STALLED, line + ". It is tried again at the next reconcile."),
        false);
  }

  private static boolean pastDeadline(Workload w, Situation s) {
    return w.restartedAt() != null && w.restartedAt().plus(s.progressDeadline()).isBefore(s.now());
  }

  /** At most MAX_ITEMS entries, the last saying how many more; null when empty. */
  static List<String> shown(Collection<String> all) {
    if (all.isEmpty()) {
      return null;
    }
    List<String> list = new ArrayList<>(all);
    if (list.size() <= RolloutProgress.MAX_ITEMS) {
      return list;
    }
    List<String> shown = new ArrayList<>(list.subList(0, RolloutProgress.MAX_ITEMS - 1));
    shown.add("and " + (list.size() - shown.size()) + " more");
    return shown;
  }

  private static void addAll(Set<String> to, List<String> from) {
    nonNull(from).stream().filter(r -> !r.startsWith("and ")).forEach(to::add);
  }

  private static List<String> nonNull(List<String> list) {
    return list == null ? List.of() : list;
  }

  private static Condition condition(boolean status, String reason, String message) {
    return PolicyStatusBuilder.condition(ConditionTypes.ROLLED_OUT, status, reason, message);
  }
}
