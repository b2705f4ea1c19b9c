package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.keepalive.namespaces.NamespaceRules;
import io.keepalive.pods.PodDirectory;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicyStatus;
import io.keepalive.policy.spec.RolloutMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Reconciles a policy against the pods of its namespace: which it selects, which it wins, which run
 * it, and what their agents observe. It never touches pods (the webhook does, at creation); it
 * tells the truth on the policy's status, and writes that status only when it changed. With
 * spec.rollout Automatic it restarts the workloads of pods that run without the policy's generation
 * ({@link WorkloadRestarts}).
 */
@ControllerConfiguration(name = KeepalivePolicyReconciler.NAME)
// Each pod created under a policy changes its counts: unlimited, a Deployment scaled up by 100
// wrote the status up to 100 times. At most one reconcile per policy per window; the events
// meanwhile are
// coalesced into one reconcile at the window's end, so the status lags by a window at most.
@RateLimited(
    maxReconciliations = 1,
    within = KeepalivePolicyReconciler.STATUS_WINDOW_SECONDS,
    unit = TimeUnit.SECONDS)
public class KeepalivePolicyReconciler implements Reconciler<KeepalivePolicy> {
  public static final String NAME = "keepalivepolicy";

  /** The shortest time between two reconciles (and status writes) of one policy. */
  public static final int STATUS_WINDOW_SECONDS = 2;

  /** How often a rollout under way is looked at. */
  static final Duration ROLLOUT_WATCH = Duration.ofSeconds(5);

  private final Clock clock;
  private final AgentGatherer agents;
  private final LeaderElection leadership;
  private final PodDirectory podDirectory;
  private final NamespaceRules namespaceRules;
  private final WorkloadRestarts workloads;
  private final Counter statusWrites;
  private final OperatorMetrics metrics;
  private InformerEventSource<Pod, KeepalivePolicy> pods;
  private InformerEventSource<KeepalivePolicy, KeepalivePolicy> neighbours;

  public KeepalivePolicyReconciler(
      AgentGatherer agents,
      NamespaceRules namespaceRules,
      WorkloadRestarts workloads,
      LeaderElection leadership,
      PodDirectory podDirectory,
      MeterRegistry registry,
      OperatorMetrics metrics,
      Clock clock) {
    this.clock = clock;
    this.metrics = metrics;
    this.agents = agents;
    this.leadership = leadership;
    this.podDirectory = podDirectory;
    this.namespaceRules = namespaceRules;
    this.workloads = workloads;
    this.statusWrites =
        Counter.builder("keepalive.policy.status.writes")
            .description("Status updates written to KeepalivePolicy resources")
            .register(registry);
  }

  @Override
  public UpdateControl<KeepalivePolicy> reconcile(
      KeepalivePolicy policy, Context<KeepalivePolicy> context) {
    if (!leadership.leading()) {
      return UpdateControl.noUpdate(); // the leader writes; this replica catches up when it leads
    }
    String namespace = policy.getMetadata().getNamespace();
    List<Pod> namespacePods = pods.list(namespace, pod -> true).toList();

    PolicyCensus census =
        PolicyCensus.take(
            policy,
            namespacePolicies(policy),
            namespacePods,
            namespaceRules.rulesOut(namespace, policy));
    PolicyStatusBuilder.AgentVerdict verdict = null;
    boolean collecting = policy.getSpec().agentOrDefaults().isEnabled();
    if (collecting) {
      // agents asked for the first time are not judged yet; their answers reconcile again. Never
      // wait for them to write: pods keep coming, and the status would never be written at all
      verdict = AgentJudgement.judge(agents.latest(census.carrying()), policy.getSpec());
    }
    RolloutPlanner.Plan rollout =
        policy.getSpec().getRollout() == RolloutMode.Automatic
            ? workloads.bringInLine(policy, census, clock.instant())
            : null;
    KeepalivePolicyStatus status =
        PolicyStatusBuilder.build(policy, census, verdict, rollout, clock.instant());

    UpdateControl<KeepalivePolicy> control;
    if (StatusChange.changes(policy.getStatus(), status)) {
      statusWrites.increment();
      control = UpdateControl.patchStatus(statusOnly(policy, status));
    } else {
      control = UpdateControl.noUpdate();
    }
    if (rollout != null && rollout.watching()) {
      // a rollout's progress is the workload's status, which wakes nothing here
      return control.rescheduleAfter(ROLLOUT_WATCH);
    }
    return collecting ? control.rescheduleAfter(agents.interval()) : control;
  }

  /**
   * The policies of the namespace as the neighbour informer holds them, and this one as it is being
   * reconciled. Not the primary cache: an event of the neighbour informer (a neighbour deleted,
   * edited, created) wakes this policy, and that informer has seen the change, while the primary
   * cache may not have yet; a status computed from it kept naming a deleted policy for good.
   */
  private List<KeepalivePolicy> namespacePolicies(KeepalivePolicy policy) {
    String name = policy.getMetadata().getName();
    List<KeepalivePolicy> all = new ArrayList<>();
    all.add(policy);
    neighbours
        .list(policy.getMetadata().getNamespace(), p -> !name.equals(p.getMetadata().getName()))
        .forEach(all::add);
    return all;
  }

  @Override
  public List<EventSource<?, KeepalivePolicy>> prepareEventSources(
      EventSourceContext<KeepalivePolicy> context) {
    // Any pod change and any policy change in a namespace can move pods between that namespace's
    // policies
    // (relabel, a new older policy, a narrowed selector), so each wakes every policy of the
    // namespace.
    SecondaryToPrimaryMapper<HasMetadata> everyPolicyOfTheNamespace =
        resource ->
            context
                .getPrimaryCache()
                .list(resource.getMetadata().getNamespace())
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());

    pods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, KeepalivePolicy.class)
                .withName("pods")
                .withNamespacesInheritedFromController()
                .withItemStore(new SlimPodStore())
                .withOnUpdateFilter(SlimPodStore::relevantChange)
                .withSecondaryToPrimaryMapper(everyPolicyOfTheNamespace::toPrimaryResourceIDs)
                .build(),
            context);
    // the webhook tells the pods that exist from those a review only claims by this informer
    podDirectory.serveFrom(namespace -> pods.list(namespace, pod -> true));

    neighbours =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KeepalivePolicy.class, KeepalivePolicy.class)
                .withName("neighbour-policies")
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(everyPolicyOfTheNamespace::toPrimaryResourceIDs)
                .withOnUpdateFilter(KeepalivePolicyReconciler::neighbourChanged)
                .build(),
            context);

    metrics.policies().readFrom(() -> context.getPrimaryCache().list());

    // wakes one policy (an agent answered differently), or all of them (this replica leads again:
    // what happened while another replica led, or none did, is caught up at once)
    SimpleInboundEventSource<KeepalivePolicy> wake = new SimpleInboundEventSource<>("wake");
    agents.onChange(wake::propagateEvent);
    leadership.onLeading(
        () ->
            context
                .getPrimaryCache()
                .list()
                .forEach(policy -> wake.propagateEvent(ResourceID.fromResource(policy))));
    return List.of(pods, neighbours, wake);
  }

  /**
   * Whether an update of a policy can move pods between its neighbours: a spec change (it moves the
   * generation: the status is a subresource) or the start of its deletion. Status writes, which
   * every policy makes each collect interval, must not wake the whole namespace.
   */
  static boolean neighbourChanged(KeepalivePolicy updated, KeepalivePolicy before) {
    return !Objects.equals(
            updated.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(
            updated.getMetadata().getDeletionTimestamp(),
            before.getMetadata().getDeletionTimestamp());
  }

  /** A status patch carries the status and the object's identity, nothing a user owns. */
  private static KeepalivePolicy statusOnly(KeepalivePolicy policy, KeepalivePolicyStatus status) {
    KeepalivePolicy patch = new KeepalivePolicy();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(policy.getMetadata().getName())
            .withNamespace(policy.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return patch;
  }
}
