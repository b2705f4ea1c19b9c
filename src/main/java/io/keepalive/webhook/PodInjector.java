package io.keepalive.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a policy into a pod. Never clobbers: sysctls the pod sets keep the pod's value (and are reported),
 * the user's containers, init containers and volumes stay where they are. Replaces its own containers by
 * name instead of adding twice, so applying it to an already injected pod changes nothing.
 */
public final class PodInjector {
    private final InjectedContainers containers;
    private final ObjectMapper mapper;
    /**
     * What one policy version injects is the same for every pod (a Deployment's 100 pods): built and hashed
     * once. Keyed by the policy's uid and resourceVersion, so any change to the policy builds afresh.
     */
    private final Map<Parts.Key, Parts> built = new ConcurrentHashMap<>();
    private static final int MAX_BUILT = 512;

    /** The injected pieces of one policy version; shared between pods, so never mutated. */
    record Parts(Container init, Container agent, String hash) {
        record Key(String uid, String resourceVersion, InjectionStrategy strategy, boolean nativeSidecar,
                   Set<String> podSets) {
        }
    }

    public PodInjector(InjectedContainers containers, ObjectMapper mapper) {
        this.containers = containers;
        this.mapper = mapper;
    }

    /**
     * What happened to the pod.
     *
     * @param podSetsSysctls the keepalive sysctls the pod sets itself, whose values were kept
     * @param hash           hash of everything injected (strategy, values, container specs)
     */
    public record Injection(Set<String> podSetsSysctls, String hash) {
    }

    /** Mutates {@code pod} in place; the caller keeps the original serialized form to diff against. */
    public Injection inject(Pod pod, KeepalivePolicy policy, InjectionStrategy strategy, ClusterFacts cluster) {
        if (strategy == InjectionStrategy.Auto) {
            throw new IllegalArgumentException("resolve Auto to a concrete strategy first");
        }
        PodSpec spec = pod.getSpec() != null ? pod.getSpec() : new PodSpec();
        pod.setSpec(spec);
        Set<String> podSets = podSysctlNames(spec);
        Parts parts = parts(policy, strategy, cluster.nativeSidecars(), podSets);
        List<Sysctl> wanted = InjectedContainers.sysctls(policy.getSpec().getTcp());
        List<Container> inits = new ArrayList<>(spec.getInitContainers() == null ? List.of() : spec.getInitContainers());
        int next = 0;
        if (strategy == InjectionStrategy.SecurityContext) {
            PodSecurityContext psc = spec.getSecurityContext() != null ? spec.getSecurityContext() : new PodSecurityContext();
            List<Sysctl> sysctls = new ArrayList<>(psc.getSysctls() == null ? List.of() : psc.getSysctls());
            wanted.stream().filter(s -> !podSets.contains(s.getName())).forEach(sysctls::add);
            psc.setSysctls(sysctls);
            spec.setSecurityContext(psc);
        } else {
            // first, so that every other init container and the agent already run with the policy's values
            next = putByName(inits, parts.init(), 0);
        }

        if (parts.agent() != null) {
            if (cluster.nativeSidecars()) {
                // right after our own init container: observing starts before the user's init containers
                putByName(inits, parts.agent(), next);
            } else {
                // last, so that kubectl logs/exec keep defaulting to the workload's first container
                List<Container> regular = new ArrayList<>(spec.getContainers() == null ? List.of() : spec.getContainers());
                putByName(regular, parts.agent(), regular.size());
                spec.setContainers(regular);
            }
            List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
            volumes.removeIf(v -> InjectedContainers.AGENT_TMP_VOLUME.equals(v.getName()));
            volumes.add(containers.agentTmpVolume());
            spec.setVolumes(volumes);
        }
        if (!inits.isEmpty()) {
            spec.setInitContainers(inits);
        }

        String hash = parts.hash();
        ObjectMeta meta = pod.getMetadata() != null ? pod.getMetadata() : new ObjectMeta();
        pod.setMetadata(meta);
        Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
        annotations.put(PodMarks.POLICY_ANNOTATION, policy.getMetadata().getName());
        annotations.put(PodMarks.GENERATION_ANNOTATION, String.valueOf(policy.getMetadata().getGeneration()));
        annotations.put(PodMarks.STRATEGY_ANNOTATION, strategy.name());
        annotations.put(PodMarks.HASH_ANNOTATION, hash);
        if (parts.agent() != null) {
            // the port of the container just injected, so the annotation cannot disagree with the pod
            annotations.put(PodMarks.AGENT_PORT_ANNOTATION,
                    String.valueOf(parts.agent().getPorts().get(0).getContainerPort()));
        } else {
            annotations.remove(PodMarks.AGENT_PORT_ANNOTATION);
        }
        meta.setAnnotations(annotations);
        return new Injection(podSets, hash);
    }

    private Parts parts(KeepalivePolicy policy, InjectionStrategy strategy, boolean nativeSidecar, Set<String> podSets) {
        String uid = policy.getMetadata().getUid();
        String version = policy.getMetadata().getResourceVersion();
        if (uid == null || version == null) {
            return build(policy, strategy, nativeSidecar, podSets); // not from the API server: nothing to key on
        }
        if (built.size() > MAX_BUILT) {
            built.clear();
        }
        return built.computeIfAbsent(new Parts.Key(uid, version, strategy, nativeSidecar, podSets),
                k -> build(policy, strategy, nativeSidecar, podSets));
    }

    private Parts build(KeepalivePolicy policy, InjectionStrategy strategy, boolean nativeSidecar, Set<String> podSets) {
        Map<String, Object> injected = new LinkedHashMap<>();
        injected.put("strategy", strategy.name());
        injected.put("sysctls", InjectedContainers.sysctls(policy.getSpec().getTcp()));
        Container init = null;
        if (strategy == InjectionStrategy.InitContainer) {
            init = containers.sysctlInitContainer(policy.getSpec().getTcp(), podSets);
            injected.put("init", init);
        }
        Container agent = null;
        if (policy.getSpec().agentOrDefaults().isEnabled()) {
            agent = containers.agentContainer(policy, nativeSidecar);
            injected.put("agent", agent);
        }
        return new Parts(init, agent, hash(injected));
    }

    private static Set<String> podSysctlNames(PodSpec spec) {
        Set<String> names = new TreeSet<>();
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getSysctls() != null) {
            for (Sysctl s : spec.getSecurityContext().getSysctls()) {
                if (InjectedContainers.SYSCTL_NAMES.contains(s.getName())) {
                    names.add(s.getName());
                }
            }
        }
        return names;
    }

    /** Replaces a container of the same name in place, or inserts at {@code index}; returns the index after it. */
    private static int putByName(List<Container> list, Container container, int index) {
        for (int i = 0; i < list.size(); i++) {
            if (container.getName().equals(list.get(i).getName())) {
                list.set(i, container);
                return i + 1;
            }
        }
        list.add(Math.min(index, list.size()), container);
        return Math.min(index, list.size() - 1) + 1;
    }

    private String hash(Map<String, Object> injected) {
        try {
            byte[] json = mapper.writeValueAsBytes(injected);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
