package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keepalive.policy.PodMarks;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.sidecar.AgentReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The one place the operator calls the sidecar agents. Reconcile asks it what is known ({@link
 * #latest}) and never waits: a pod's agent is asked in the background at most once per collect
 * interval, its last answer serves meanwhile, and an answer that changes what is known wakes the
 * pod's policy. The agents never call the Kubernetes API; the operator comes to them, so a pod's
 * observations need no RBAC of their own.
 */
@ApplicationScoped
public class AgentGatherer {
  private static final Logger LOG = Logger.getLogger(AgentGatherer.class);
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Duration interval;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  /** Last answer per pod uid. */
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  private final Set<String> asking = ConcurrentHashMap.newKeySet();
  private volatile Consumer<ResourceID> onChange = policy -> {};
  private volatile Instant nextSweep = Instant.MIN;

  @Inject
  public AgentGatherer(OperatorSettings settings, Clock clock) {
    this(Duration.ofSeconds(settings.agent().collectIntervalSeconds()), clock);
  }

  AgentGatherer(Duration interval, Clock clock) {
    this.interval = interval;
    this.clock = clock;
  }

  /** Told the policy (name and namespace) whose pod's agent answered differently from before. */
  public void onChange(Consumer<ResourceID> listener) {
    this.onChange = listener;
  }

  public Duration interval() {
    return interval;
  }

  /**
   * What is known of the agents of these pods (the pods carrying one policy); asks, in the
   * background, those never asked or last asked an interval ago.
   */
  public AgentAnswers latest(List<Pod> carrying) {
    Instant now = clock.instant();
    List<Pod> withAgent = carrying.stream().filter(p -> agentPort(p) > 0).toList();
    List<Pod> running = withAgent.stream().filter(AgentGatherer::reachable).toList();
    List<AgentReport> reports = new ArrayList<>();
    Map<String, String> silent = new TreeMap<>();
    int awaited = 0;
    for (Pod pod : running) {
      Answer answer = answers.get(key(pod));
      if (answer == null || !answer.at().plus(interval).isAfter(now)) {
        ask(pod, now);
      }
      if (answer == null) {
        awaited++;
      } else if (answer.report() != null) {
        reports.add(answer.report());
      } else {
        silent.put(pod.getMetadata().getName(), answer.error());
      }
    }
    forgetGonePods(now);
    return new AgentAnswers(withAgent.size(), running.size(), reports, silent, awaited);
  }

  private void ask(Pod pod, Instant now) {
    String key = key(pod);
    if (!asking.add(key)) {
      return;
    }
    String podName = pod.getMetadata().getName();
    URI uri =
        URI.create(
            "http://" + hostOf(pod.getStatus().getPodIP()) + ":" + agentPort(pod) + "/status");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        // bounded even if the client never completes, so a pod is never awaited for ever
        .orTimeout(TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            response ->
                response.statusCode() == 200
                    ? new Answer(now, AgentReport.parse(podName, response.body()), null)
                    : new Answer(now, null, "HTTP " + response.statusCode() + " from " + uri))
        .exceptionally(
            e -> {
              Throwable cause = e.getCause() != null ? e.getCause() : e;
              LOG.debugf(
                  "agent of %s/%s did not answer: %s",
                  pod.getMetadata().getNamespace(), podName, cause);
              return new Answer(
                  now,
                  null,
                  cause.getClass().getSimpleName()
                      + (cause.getMessage() != null ? ": " + cause.getMessage() : "")
                      + " from "
                      + uri);
            })
        .thenAccept(
            answer -> {
              Answer before = answers.put(key, answer);
              asking.remove(key);
              if (before == null || !before.sameAs(answer)) {
                onChange.accept(
                    new ResourceID(
                        pod.getMetadata().getAnnotations().get(PodMarks.POLICY_ANNOTATION),
                        pod.getMetadata().getNamespace()));
              }
            });
  }

  /**
   * Answers of pods that are gone age out; every live pod is asked again long before that. The map
   * holds every policy's pods, so it is swept at most once per interval, not on every reconcile.
   */
  private void forgetGonePods(Instant now) {
    if (now.isBefore(nextSweep)) {
      return;
    }
    nextSweep = now.plus(interval);
    Instant stale = now.minus(interval.multipliedBy(10));
    answers.values().removeIf(answer -> answer.at().isBefore(stale));
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getUid() != null
        ? pod.getMetadata().getUid()
        : pod.getMetadata().getName();
  }

  static boolean reachable(Pod pod) {
    return pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getPodIP() != null
        && !pod.getStatus().getPodIP().isBlank();
  }

  /**
   * The port the webhook injected the agent with, or 0 when the pod carries no agent (injected
   * while the policy had {@code agent.enabled: false}): such a pod has nobody to ask and is not a
   * silent agent.
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

  /** One ask's outcome: a report, or why there is none. */
  private record Answer(Instant at, AgentReport report, String error) {
    boolean sameAs(Answer other) {
      return Objects.equals(report, other.report) && Objects.equals(error, other.error);
    }
  }
}
