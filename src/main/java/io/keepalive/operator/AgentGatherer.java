package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.sidecar.AgentReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The one place the operator calls the sidecar agents. Reconcile asks it what is known ({@link
 * #latest}) and never waits: a pod's agent is asked in the background at most once per collect
 * interval, its last answer serves meanwhile, and an answer that changes what is known wakes the
 * pod's policy. The agents never call the Kubernetes API; the operator comes to them, so a pod's
 * observations need no RBAC of their own.
 *
 * <p>What answers on a pod's agent port is up to the pod's tenant, so nothing about an answer is
 * trusted: the address is the pod's IP and the port of the agent container the webhook injected
 * (the pod's spec, which cannot change; not an annotation anyone can edit), a whole exchange is
 * bounded in time (body included) and in bytes, a few exchanges at most run at once, and the answer
 * is checked field by field ({@link AgentReport#parse}) before it can reach a status.
 */
@ApplicationScoped
public class AgentGatherer {
  private static final Logger LOG = Logger.getLogger(AgentGatherer.class);

  /** Connecting, and waiting for the answer's headers. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** The whole exchange, body included: a trickled answer is cut off here. */
  static final Duration DEADLINE = TIMEOUT.multipliedBy(2);

  /** Exchanges at once; pods beyond wait for a later reconcile (their last answer serves). */
  static final int MAX_ASKING = 32;

  private final Duration interval;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  /** Last answer per pod uid. */
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  private final Set<String> asking = ConcurrentHashMap.newKeySet();
  private final Semaphore exchanges = new Semaphore(MAX_ASKING);
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
    if (!exchanges.tryAcquire()) {
      asking.remove(key); // asked by a later reconcile, when an exchange is free
      return;
    }
    try {
      exchange(pod, key, now);
    } catch (RuntimeException e) {
      // nothing was sent (an address the client refuses): the pod is silent for that reason
      exchanges.release();
      answers.put(key, new Answer(now, null, e.getClass().getSimpleName()));
      asking.remove(key);
    }
  }

  private void exchange(Pod pod, String key, Instant now) {
    String podName = pod.getMetadata().getName();
    URI uri =
        URI.create(
            "http://" + hostOf(pod.getStatus().getPodIP()) + ":" + agentPort(pod) + "/status");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    BoundedBody body = new BoundedBody(AgentReport.MAX_BYTES);
    http.sendAsync(request, info -> body)
        // bounded even if the client never completes, so a pod is never awaited for ever
        .orTimeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (response, failure) -> {
              if (failure == null) {
                return response.statusCode() == 200
                    ? report(now, podName, response.body(), uri)
                    : new Answer(now, null, "HTTP " + response.statusCode() + " from " + uri);
              }
              body.abandon(); // a trickled answer: drop the connection, not only the wait
              Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
              LOG.debugf(
                  "agent of %s/%s did not answer: %s",
                  pod.getMetadata().getNamespace(), podName, cause);
              return new Answer(now, null, why(cause) + " from " + uri);
            })
        .thenAccept(
            answer -> {
              exchanges.release();
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

  private static Answer report(Instant now, String pod, byte[] body, URI uri) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
      return new Answer(now, AgentReport.parse(pod, text), null);
    } catch (CharacterCodingException e) {
      return new Answer(now, null, "the /status answer is not UTF-8 text, from " + uri);
    } catch (AgentReport.Invalid e) {
      return new Answer(now, null, e.getMessage() + ", from " + uri);
    }
  }

  /**
   * Why an exchange failed, in words of ours: an exception's message may carry what the other end
   * sent, which must not reach a status.
   */
  private static String why(Throwable cause) {
    if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
      return "no whole answer within " + DEADLINE.toSeconds() + " s";
    }
    if (cause instanceof BoundedBody.TooLarge) {
      return "an answer larger than " + AgentReport.MAX_BYTES / 1024 + " KiB";
    }
    return cause.getClass().getSimpleName();
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
   * The port of the agent container the webhook injected, or 0 when the pod carries no agent
   * (injected while the policy had {@code agent.enabled: false}): such a pod has nobody to ask and
   * is not a silent agent. A pod on the node's network is never asked: its IP is the node's.
   */
  static int agentPort(Pod pod) {
    if (pod.getSpec() == null || Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      return 0;
    }
    return InjectedContainers.agentPort(pod.getSpec());
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
