package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks the sidecar agents of a policy's pods for their /status, at most once per collect interval per pod,
 * and hands the answers to {@link AgentJudgement}. The agents never call the Kubernetes API; the operator
 * comes to them, so a pod's observations need no RBAC of their own.
 */
@ApplicationScoped
public class AgentReports {
    private static final Logger LOG = Logger.getLogger(AgentReports.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final OperatorSettings settings;
    private final Clock clock = Clock.systemUTC();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    /** Last answer per pod uid; an entry younger than the interval is reused, so pod churn costs no requests. */
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private volatile Instant nextSweep = Instant.MIN;

    public AgentReports(OperatorSettings settings) {
        this.settings = settings;
    }

    public boolean enabledFor(KeepalivePolicy policy) {
        return policy.getSpec().agentOrDefaults().isEnabled();
    }

    public Duration interval() {
        return Duration.ofSeconds(settings.agent().collectIntervalSeconds());
    }

    /** @param carrying the pods that carry this policy ({@link PolicyCensus#carrying()}) */
    public PolicyStatusBuilder.AgentVerdict verdict(KeepalivePolicy policy, List<Pod> carrying) {
        if (!enabledFor(policy)) {
            return null;
        }
        List<Pod> withAgent = carrying.stream().filter(p -> agentPort(p) > 0).toList();
        List<Pod> running = withAgent.stream().filter(AgentReports::reachable).toList();

        Map<Pod, CompletableFuture<Answer>> pending = new java.util.LinkedHashMap<>();
        for (Pod pod : running) {
            pending.put(pod, answerFor(pod));
        }
        List<AgentReport> reports = new ArrayList<>();
        Map<String, String> silent = new TreeMap<>();
        pending.forEach((pod, future) -> {
            Answer answer = future.join();
            if (answer.report() != null) {
                reports.add(answer.report());
            } else {
                silent.put(pod.getMetadata().getName(), answer.error());
            }
        });
        forgetGonePods();
        return AgentJudgement.judge(withAgent.size(), running.size(), reports, silent);
    }

    /**
     * Answers of pods that are gone age out; every live pod is asked again long before that. The map holds every
     * policy's pods, so it is swept at most once per interval, not on every reconcile.
     */
    private void forgetGonePods() {
        Instant now = clock.instant();
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plus(interval());
        Instant stale = now.minus(interval().multipliedBy(10));
        answers.values().removeIf(answer -> answer.at().isBefore(stale));
    }

    private CompletableFuture<Answer> answerFor(Pod pod) {
        String uid = pod.getMetadata().getUid() != null ? pod.getMetadata().getUid() : pod.getMetadata().getName();
        Answer cached = answers.get(uid);
        Instant now = clock.instant();
        if (cached != null && cached.at().plus(interval()).isAfter(now)) {
            return CompletableFuture.completedFuture(cached);
        }
        String podName = pod.getMetadata().getName();
        URI uri = URI.create("http://" + hostOf(pod.getStatus().getPodIP()) + ":" + agentPort(pod) + "/status");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> response.statusCode() == 200
                        ? new Answer(now, AgentReport.parse(podName, response.body()), null)
                        : new Answer(now, null, "HTTP " + response.statusCode() + " from " + uri))
                .exceptionally(e -> {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    LOG.debugf("agent of %s/%s did not answer: %s", pod.getMetadata().getNamespace(), podName, cause);
                    return new Answer(now, null, cause.getClass().getSimpleName()
                            + (cause.getMessage() != null ? ": " + cause.getMessage() : "") + " from " + uri);
                })
                .thenApply(answer -> {
                    answers.put(uid, answer);
                    return answer;
                });
    }

    static boolean reachable(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isBlank();
    }

    /**
     * The port the webhook injected the agent with, or 0 when the pod carries no agent (injected while the
     * policy had {@code agent.enabled: false}): such a pod has nobody to ask and is not a silent agent.
     */
    static int agentPort(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String port = annotations == null ? null : annotations.get(PodMarks.AGENT_PORT_ANNOTATION);
        try {
            int value = port == null ? 0 : Integer.parseInt(port.trim());
            return value > 0 && value < 65536 ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String hostOf(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }

    private record Answer(Instant at, AgentReport report, String error) {
    }
}
