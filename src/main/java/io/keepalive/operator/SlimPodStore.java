package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.InjectionDecision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The pod informer's store. A full pod is tens of kilobytes (containers, env, volumes, managed
 * fields); the reconciler needs its labels, our annotations, what the webhook's pod rules read,
 * phase and IP, and its controller (the workload a rollout restarts). Keeping only those makes the
 * operator's memory grow with the number of pods by a few hundred bytes each instead of the whole
 * object.
 */
public class SlimPodStore implements ItemStore<Pod> {
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();

  @Override
  public String getKey(Pod pod) {
    return Cache.metaNamespaceKeyFunc(pod);
  }

  @Override
  public Pod put(String key, Pod pod) {
    return pods.put(key, slim(pod));
  }

  @Override
  public Pod remove(String key) {
    return pods.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return pods.keySet().stream();
  }

  @Override
  public Stream<Pod> values() {
    return pods.values().stream();
  }

  @Override
  public int size() {
    return pods.size();
  }

  @Override
  public Pod get(String key) {
    return pods.get(key);
  }

  /** The fields reconciliation reads, and nothing else. */
  public static Pod slim(Pod pod) {
    ObjectMeta meta = pod.getMetadata();
    ObjectMeta slimMeta = new ObjectMeta();
    slimMeta.setName(meta.getName());
    slimMeta.setNamespace(meta.getNamespace());
    slimMeta.setUid(meta.getUid());
    slimMeta.setResourceVersion(
        meta.getResourceVersion()); // fabric8 compares it to drop no-op updates
    slimMeta.setDeletionTimestamp(meta.getDeletionTimestamp());
    slimMeta.setLabels(meta.getLabels());
    Map<String, String> ours = ourAnnotations(meta.getAnnotations());
    slimMeta.setAnnotations(ours.isEmpty() ? null : ours);
    // kind and name are all the rollout reads; the kind is one of a few, shared by every pod
    controller(meta)
        .ifPresent(
            owner ->
                slimMeta.setOwnerReferences(
                    List.of(
                        new OwnerReferenceBuilder()
                            .withKind(owner.getKind() == null ? null : owner.getKind().intern())
                            .withName(owner.getName())
                            .withController(true)
                            .build())));
    Pod slim = new Pod();
    slim.setApiVersion(pod.getApiVersion());
    slim.setKind(pod.getKind());
    slim.setMetadata(slimMeta);
    slim.setSpec(slimSpec(pod.getSpec(), ours.containsKey(PodMarks.HASH_ANNOTATION)));
    if (pod.getStatus() != null) {
      PodStatus status = new PodStatus();
      status.setPhase(pod.getStatus().getPhase());
      status.setPodIP(pod.getStatus().getPodIP());
      slim.setStatus(status);
    }
    return slim;
  }

  /**
   * What the webhook's pod rules read ({@link InjectionDecision#podRulesOut}): hostNetwork, the OS,
   * and containers or volumes that already use an injected name. Null for the common pod, which
   * none of these concerns. An injected pod carries our containers by design, so they are not kept
   * for it, but for the agent's name and port, where the operator asks it for /status.
   */
  private static PodSpec slimSpec(PodSpec spec, boolean injected) {
    if (spec == null) {
      return null;
    }
    if (injected && !Boolean.TRUE.equals(spec.getHostNetwork()) && spec.getOs() == null) {
      // the common injected pod: one read-only spec per agent port, shared by all of them
      int port = InjectedContainers.agentPort(spec);
      return port == 0 ? null : AGENT_ONLY.computeIfAbsent(port, SlimPodStore::agentOnly);
    }
    PodSpec slim = new PodSpec();
    boolean kept = false;
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      slim.setHostNetwork(true);
      kept = true;
    }
    if (spec.getOs() != null) {
      slim.setOs(spec.getOs());
      kept = true;
    }
    // an injected pod carries our containers by design: only the agent's name and port matter
    List<Container> containers =
        Stream.of(spec.getContainers(), spec.getInitContainers())
            .filter(Objects::nonNull)
            .flatMap(List::stream)
            .filter(
                c ->
                    injected
                        ? InjectedContainers.AGENT_CONTAINER.equals(c.getName())
                        : InjectedContainers.CONTAINER_NAMES.contains(c.getName()))
            .map(SlimPodStore::slimContainer)
            .filter(c -> !injected || !c.getPorts().isEmpty())
            .toList();
    List<Volume> volumes =
        injected || spec.getVolumes() == null
            ? List.of()
            : spec.getVolumes().stream()
                .filter(v -> InjectedContainers.AGENT_TMP_VOLUME.equals(v.getName()))
                .map(v -> new VolumeBuilder().withName(v.getName()).build())
                .toList();
    if (!containers.isEmpty() || !volumes.isEmpty()) {
      slim.setContainers(containers);
      slim.setVolumes(volumes.isEmpty() ? null : volumes);
      kept = true;
    }
    return kept ? slim : null;
  }

  /** The owner that manages the pod (a ReplicaSet, StatefulSet, DaemonSet, Job...), if any. */
  static Optional<OwnerReference> controller(ObjectMeta meta) {
    return meta.getOwnerReferences() == null
        ? Optional.empty()
        : meta.getOwnerReferences().stream()
            .filter(o -> Boolean.TRUE.equals(o.getController()))
            .findFirst();
  }

  /** Its name, and for the agent the port the operator asks it on. */
  private static Container slimContainer(Container container) {
    int port =
        InjectedContainers.AGENT_CONTAINER.equals(container.getName())
            ? InjectedContainers.agentPort(container)
            : 0;
    return port > 0 ? agent(port) : new ContainerBuilder().withName(container.getName()).build();
  }

  /** Specs of injected pods that need nothing else, by agent port: never changed once built. */
  private static final Map<Integer, PodSpec> AGENT_ONLY = new ConcurrentHashMap<>();

  private static PodSpec agentOnly(int port) {
    return new PodSpecBuilder().withContainers(agent(port)).build();
  }

  private static Container agent(int port) {
    return new ContainerBuilder()
        .withName(InjectedContainers.AGENT_CONTAINER)
        .addNewPort()
        .withName(InjectedContainers.AGENT_PORT_NAME)
        .withContainerPort(port)
        .endPort()
        .build();
  }

  private static Map<String, String> ourAnnotations(Map<String, String> annotations) {
    if (annotations == null) {
      return Map.of();
    }
    Map<String, String> ours = new HashMap<>();
    annotations.forEach(
        (k, v) -> {
          if (k.startsWith(PodMarks.ANNOTATION_PREFIX)) {
            ours.put(k, v);
          }
        });
    return ours;
  }

  /**
   * Whether an update can change any policy's status. Pods update often (status probes,
   * conditions); those updates must not wake every policy of the namespace. Called for every pod
   * update, so it compares in place rather than slimming both. The spec fields {@link #slim} keeps
   * cannot change after creation.
   */
  public static boolean relevantChange(Pod newPod, Pod oldPod) {
    ObjectMeta a = newPod.getMetadata(), b = oldPod.getMetadata();
    return !Objects.equals(a.getLabels(), b.getLabels())
        || !Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
        || !sameOurAnnotations(a.getAnnotations(), b.getAnnotations())
        || !Objects.equals(phase(newPod), phase(oldPod))
        || !Objects.equals(podIP(newPod), podIP(oldPod));
  }

  private static boolean sameOurAnnotations(Map<String, String> a, Map<String, String> b) {
    return ourCount(a) == ourCount(b)
        && (a == null
            || a.entrySet().stream()
                .filter(e -> e.getKey().startsWith(PodMarks.ANNOTATION_PREFIX))
                .allMatch(e -> b != null && Objects.equals(e.getValue(), b.get(e.getKey()))));
  }

  private static long ourCount(Map<String, String> annotations) {
    return annotations == null
        ? 0
        : annotations.keySet().stream()
            .filter(k -> k.startsWith(PodMarks.ANNOTATION_PREFIX))
            .count();
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static String podIP(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
  }
}
