package io.keepalive.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.PodInjector;
import io.keepalive.rules.PodSecurity;
import io.keepalive.rules.SkipReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One AdmissionReview in, one answer out: {@link AdmissionCodec} reads it, {@link
 * InjectionDecision} decides, {@link PodInjector} mutates, and the codec answers with the patch. A
 * malformed review is the caller's error (400); anything that is not a pod CREATE is allowed
 * unchanged.
 */
public final class AdmissionHandler {
  /**
   * The largest pod (as JSON) the webhook injects into. etcd refuses objects above 1.5 MiB, and the
   * API server adds managed fields after admission: a pod that would store as the user wrote it
   * must not fail because of what the webhook adds, so a large one is left alone (PodTooLarge).
   */
  static final int MAX_INJECTED_POD_BYTES = 1024 * 1024;

  private final AdmissionCodec codec;
  private final ClusterView cluster;
  private final PodInjector injector;
  private final PodSecurity.Level defaultLevel;
  private final AdmissionOutcomes outcomes;

  public AdmissionHandler(
      AdmissionCodec codec,
      ClusterView cluster,
      PodInjector injector,
      PodSecurity.Level defaultLevel,
      AdmissionOutcomes outcomes) {
    this.codec = codec;
    this.cluster = cluster;
    this.injector = injector;
    this.defaultLevel = defaultLevel;
    this.outcomes = outcomes;
  }

  /**
   * An HTTP status, its content type and body: 200 an AdmissionReview, otherwise a plain-text
   * message.
   */
  public record Reply(int status, String contentType, byte[] body) {
    static Reply review(byte[] json) {
      return new Reply(200, "application/json", json);
    }

    /** The caller sent something we cannot read. */
    static Reply badRequest(String message) {
      return text(400, message);
    }

    /** We failed: a bug, never the caller's fault. */
    static Reply failed(String message) {
      return text(500, message);
    }

    static Reply text(int status, String message) {
      return new Reply(
          status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Not an answer: this review needs the API server (its namespace is not cached yet), and the
   * caller said it must not wait for it; it hands the review to a thread that may.
   */
  public static final Reply NEEDS_THREAD = new Reply(0, "", new byte[0]);

  public Reply handle(byte[] body) {
    return handle(body, true);
  }

  /**
   * @param mayWait whether this thread may wait for the API server; an event loop may not (its
   *     connections, the API server's answer among them, would wait too): {@link #NEEDS_THREAD}
   */
  public Reply handle(byte[] body, boolean mayWait) {
    AdmissionCodec.Request request;
    try {
      request = codec.read(body);
    } catch (AdmissionCodec.BadReview e) {
      return Reply.badRequest(e.getMessage());
    }
    if (request.pod() == null) {
      return Reply.review(codec.allow(request.uid()));
    }
    String namespace = request.namespace();
    if (!mayWait && !cluster.knowsNamespace(namespace)) {
      return NEEDS_THREAD;
    }
    InjectionDecision decision =
        InjectionDecision.decide(
            request.pod(),
            namespace,
            () -> cluster.namespaceLabels(namespace),
            cluster.policies(namespace),
            defaultLevel,
            cluster.facts());
    if (!(decision instanceof InjectionDecision.Inject inject)) {
      outcomes.record(namespace, request.podName(), decision, Set.of());
      return Reply.review(codec.allow(request.uid()));
    }
    JsonNode before = codec.tree(request.pod());
    Set<String> podSetsSysctls =
        injector.inject(request.pod(), inject.policy(), inject.strategy(), cluster.facts());
    byte[] patch = codec.patch(before, request.pod());
    if (request.size() + patch.length > MAX_INJECTED_POD_BYTES) {
      InjectionDecision.Skip tooLarge =
          new InjectionDecision.Skip(
              SkipReason.PodTooLarge,
              "the pod would grow to about "
                  + (request.size() + patch.length) / 1024
                  + " KiB with policy "
                  + inject.policy().getMetadata().getName()
                  + ", above the "
                  + MAX_INJECTED_POD_BYTES / 1024
                  + " KiB the webhook leaves room for (etcd stores at most 1.5 MiB per object)",
              Optional.of(inject.policy()));
      outcomes.record(namespace, request.podName(), tooLarge, Set.of());
      return Reply.review(codec.allow(request.uid()));
    }
    outcomes.record(namespace, request.podName(), decision, podSetsSysctls);
    List<String> warnings =
        podSetsSysctls.stream()
            .map(
                s ->
                    "keepalive.io: the pod sets "
                        + s
                        + " itself; policy "
                        + inject.policy().getMetadata().getName()
                        + " leaves it as it is")
            .toList();
    return Reply.review(codec.allow(request.uid(), patch, warnings));
  }
}
