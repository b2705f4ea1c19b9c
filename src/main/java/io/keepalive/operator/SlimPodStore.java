package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.keepalive.policy.PodMarks;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The pod informer's store. A full pod is tens of kilobytes (containers, env, volumes, managed fields); the
 * reconciler needs its labels, our annotations, hostNetwork, phase and IP. Keeping only those makes the
 * operator's memory grow with the number of pods by a few hundred bytes each instead of the whole object.
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
        slimMeta.setResourceVersion(meta.getResourceVersion());
        slimMeta.setCreationTimestamp(meta.getCreationTimestamp());
        slimMeta.setDeletionTimestamp(meta.getDeletionTimestamp());
        slimMeta.setLabels(meta.getLabels());
        if (meta.getAnnotations() != null) {
            Map<String, String> ours = meta.getAnnotations().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(PodMarks.ANNOTATION_PREFIX))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            slimMeta.setAnnotations(ours.isEmpty() ? null : ours);
        }
        Pod slim = new Pod();
        slim.setApiVersion(pod.getApiVersion());
        slim.setKind(pod.getKind());
        slim.setMetadata(slimMeta);
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            PodSpec spec = new PodSpec();
            spec.setHostNetwork(true);
            slim.setSpec(spec);
        }
        if (pod.getStatus() != null) {
            PodStatus status = new PodStatus();
            status.setPhase(pod.getStatus().getPhase());
            status.setPodIP(pod.getStatus().getPodIP());
            slim.setStatus(status);
        }
        return slim;
    }

    /**
     * Whether an update can change any policy's status. Pods update often (status probes, conditions); those
     * updates must not wake every policy of the namespace.
     */
    public static boolean relevantChange(Pod newPod, Pod oldPod) {
        Pod a = slim(newPod), b = slim(oldPod);
        return !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                || !Objects.equals(a.getMetadata().getAnnotations(), b.getMetadata().getAnnotations())
                || !Objects.equals(a.getMetadata().getDeletionTimestamp(), b.getMetadata().getDeletionTimestamp())
                || !Objects.equals(a.getSpec(), b.getSpec())
                || !Objects.equals(a.getStatus(), b.getStatus());
    }
}
