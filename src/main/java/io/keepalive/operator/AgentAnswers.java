package io.keepalive.operator;

import io.keepalive.sidecar.AgentReport;
import java.util.List;
import java.util.Map;

/**
 * What the operator knows of the agents of one policy's pods when it reconciles: the input of
 * {@link AgentJudgement}.
 *
 * @param podsWithAgent pods injected by this policy with its agent
 * @param runningPods of those, pods running with an IP (the ones asked)
 * @param reports the latest answers
 * @param silent pods whose agent did not answer when last asked, with the error, by pod name
 * @param awaited running pods asked for the first time, whose answer is on its way
 */
public record AgentAnswers(
    int podsWithAgent,
    int runningPods,
    List<AgentReport> reports,
    Map<String, String> silent,
    int awaited) {}
