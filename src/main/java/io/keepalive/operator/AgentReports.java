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

    public AgentReports(OperatorSettings settings) {
        this.settings = settings;
    }

    public boolean enabledFor(KeepalivePolicy policy) {
        return policy.getSpec().agentOrDefaults().isEnabled();
    }

    public Duration interval() {
        return Duration.ofSeconds(settings.agent().collectIntervalSeconds());
    }

    public PolicyStatusBuilder.AgentVerdict verdict(KeepalivePolicy policy, List<Pod> applicablePods) {
        if (!enabledFor(policy)) {
            return null;
        }
        String name = policy.getMetadata().getName();
        List<Pod> withAgent = applicablePods.stream().filter(p -> p.getMetadata().getAnnotations() != null
                && name.equals(p.getMetadata().getAnnotations().get(PodMarks.POLICY_ANNOTATION))).toList();
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
        // answers of pods that are gone age out; every live pod is asked again long before that
        Instant stale = clock.instant().minus(interval().multipliedBy(10));
        answers.values().removeIf(answer -> answer.at().isBefore(stale));
        return AgentJudgement.judge(withAgent.size(), running.size(), reports, silent);
    }

    private CompletableFuture<Answer> answerFor(Pod pod) {
        String uid = pod.getMetadata().getUid() != null ? pod.getMetadata().getUid() : pod.getMetadata().getName();
        Answer cached = answers.get(uid);
        Instant now = clock.instant();
        if (cached != null && cached.at().plus(interval()).isAfter(now)) {
            return CompletableFuture.completedFuture(cached);
        }
        String podName = pod.getMetadata().getName();
        URI uri = URI.create("http://" + hostOf(pod.getStatus().getPodIP()) + ":" + settings.agent().port() + "/status");
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

    private static String hostOf(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }

    private record Answer(Instant at, AgentReport report, String error) {
    }
}
