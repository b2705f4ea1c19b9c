package io.keepalive.operator;

import static io.keepalive.operator.PolicyStatusBuilder.condition;

import io.fabric8.kubernetes.api.model.Condition;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.status.ObservedHealth;
import io.keepalive.sidecar.AgentReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Judges what the agents of a policy's pods observed: do they answer, do the pods run the desired
 * values, is anything wrong with the HTTP targets. Pure, so every message can be tested.
 */
public final class AgentJudgement {
  public static final String REASON_ALL_REPORTING = "AllReporting";
  public static final String REASON_SOME_SILENT = "SomeAgentsSilent";
  public static final String REASON_NO_AGENTS = "NoInjectedPods";
  public static final String REASON_NOT_RUNNING = "PodsNotRunning";
  public static final String REASON_AWAITING_ANSWERS = "AwaitingFirstAnswers";
  public static final String REASON_IN_SYNC = "InSync";
  public static final String REASON_SYSCTL_DRIFT = "SysctlDrift";
  public static final String REASON_FINDINGS = "AgentFindings";
  public static final String REASON_NO_REPORTS = "NoReports";
  static final int MAX_FINDINGS = 10;

  /** What of one line an agent wrote goes into a condition message or the findings. */
  static final int MAX_LINE = 300;

  private AgentJudgement() {}

  /**
   * @param answers what is known of the agents; pods still {@link AgentAnswers#awaited() awaited}
   *     are not judged yet (their first answer reconciles again)
   * @param spec what the agents' measurements are compared with, for findings and recommendations
   */
  public static PolicyStatusBuilder.AgentVerdict judge(
      AgentAnswers answers, KeepalivePolicySpec spec) {
    List<AgentReport> reports = answers.reports();
    List<Condition> conditions = new ArrayList<>();
    conditions.add(
        reporting(
            answers.podsWithAgent(),
            answers.runningPods(),
            answers.awaited(),
            reports.size(),
            answers.silent()));
    List<TargetSummary.Combined> targets = TargetSummary.combine(reports);
    int oldTiming = reports.stream().mapToInt(AgentReport::keepaliveOldTiming).sum();
    Recommendations.Advice advice = Recommendations.advise(spec, targets, oldTiming);
    List<String> findings = findings(advice.findings(), reports);
    conditions.add(drift(reports, findings));
    if (reports.isEmpty()) {
      return new PolicyStatusBuilder.AgentVerdict(null, conditions, List.of());
    }
    ObservedHealth observed = new ObservedHealth();
    observed.setPodsReporting(reports.size());
    observed.setPodsInSync((int) reports.stream().filter(AgentReport::inSync).count());
    observed.setEstablishedConnections(reports.stream().mapToInt(AgentReport::established).sum());
    observed.setConnectionsWithoutKeepalive(
        reports.stream().mapToInt(AgentReport::keepaliveOff).sum());
    observed.setConnectionsOnOldTiming(oldTiming);
    observed.setFindings(findings);
    observed.setTargets(targets.isEmpty() ? null : TargetSummary.observed(targets));
    return new PolicyStatusBuilder.AgentVerdict(observed, conditions, advice.recommendations());
  }

  static Condition reporting(
      int podsWithAgent, int runningPods, int awaited, int answered, Map<String, String> silent) {
    if (podsWithAgent == 0) {
      return PolicyStatusBuilder.unknown(
          ConditionTypes.AGENTS_REPORTING,
          REASON_NO_AGENTS,
          "No pod runs this policy's agent yet.");
    }
    if (runningPods == 0) {
      return PolicyStatusBuilder.unknown(
          ConditionTypes.AGENTS_REPORTING,
          REASON_NOT_RUNNING,
          PolicyStatusBuilder.pods(podsWithAgent) + " carry the agent; none is running yet.");
    }
    int asked = runningPods - awaited;
    String starting =
        awaited == 0 ? "" : " " + awaited + " more just started; their agents are being asked.";
    if (asked == 0) {
      return PolicyStatusBuilder.unknown(
          ConditionTypes.AGENTS_REPORTING,
          REASON_AWAITING_ANSWERS,
          PolicyStatusBuilder.pods(runningPods)
              + " running; their agents are being asked for the first time.");
    }
    if (silent.isEmpty() && answered == asked) {
      return condition(
          ConditionTypes.AGENTS_REPORTING,
          true,
          REASON_ALL_REPORTING,
          "The agents of all " + PolicyStatusBuilder.pods(asked) + " running answered." + starting);
    }
    var first = silent.entrySet().stream().sorted(Map.Entry.comparingByKey()).findFirst();
    return condition(
        ConditionTypes.AGENTS_REPORTING,
        false,
        REASON_SOME_SILENT,
        silent.size()
            + " of "
            + PolicyStatusBuilder.pods(asked)
            + " running did not answer"
            + first.map(e -> " (" + e.getKey() + ": " + e.getValue() + ")").orElse("")
            + "."
            + starting);
  }

  /**
   * @param findings {@link #findings} of the same reports
   */
  static Condition drift(List<AgentReport> reports, List<String> findings) {
    if (reports.isEmpty()) {
      return PolicyStatusBuilder.unknown(
          ConditionTypes.DRIFTED, REASON_NO_REPORTS, "No agent has reported yet.");
    }
    List<AgentReport> drifted =
        reports.stream()
            .filter(r -> !r.inSync())
            .sorted(Comparator.comparing(AgentReport::pod))
            .toList();
    if (!drifted.isEmpty()) {
      AgentReport first = drifted.get(0);
      return condition(
          ConditionTypes.DRIFTED,
          true,
          REASON_SYSCTL_DRIFT,
          drifted.size()
              + " of "
              + PolicyStatusBuilder.pods(reports.size())
              + " reporting run other values "
              + "than desired ("
              + first.pod()
              + ": "
              + shortened(String.join("; ", first.drift()))
              + ").");
    }
    if (!findings.isEmpty()) {
      return condition(
          ConditionTypes.DRIFTED,
          true,
          REASON_FINDINGS,
          findings.get(0)
              + (findings.size() > 1
                  ? " (and " + (findings.size() - 1) + " more in status.observed.findings)"
                  : ""));
    }
    return condition(
        ConditionTypes.DRIFTED,
        false,
        REASON_IN_SYNC,
        "All "
            + PolicyStatusBuilder.pods(reports.size())
            + " reporting run the desired values; the agents report no findings.");
  }

  /**
   * The same finding from many replicas is one finding; order is the agents' (most important
   * first), after what the measurements contradict in the policy.
   */
  static List<String> findings(List<String> policyFindings, List<AgentReport> reports) {
    Set<String> unique = new LinkedHashSet<>(policyFindings);
    reports.stream()
        .sorted(Comparator.comparing(AgentReport::pod))
        .forEach(r -> r.findings().forEach(f -> unique.add(shortened(f))));
    return unique.stream().limit(MAX_FINDINGS).toList();
  }

  static String shortened(String line) {
    return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE - 3) + "...";
  }
}
