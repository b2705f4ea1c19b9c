package io.keepalive.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a policy into a pod. Never clobbers: sysctls the pod sets keep the pod's value (and are
 * reported), the user's containers, init containers and volumes stay where they are. Only called
 * for pods the decision cleared: not injected yet, and no container or volume already uses one of
 * our names.
 */
public final class PodInjector {
  private final InjectedContainers containers;
  private final ObjectMapper mapper;

  /**
   * What one policy generation injects is the same for every pod (a Deployment's 100 pods): built
   * and hashed once. Keyed by the policy's uid and generation, so a spec change builds afresh while
   * the status writes of the operator (new resourceVersions, same spec) keep the cache.
   */
  private final Map<Parts.Key, Parts> built = new ConcurrentHashMap<>();

  private static final int MAX_BUILT = 512;

  /** The injected pieces of one policy generation; shared between pods, so never mutated. */
  record Parts(List<Sysctl> sysctls, Container init, Container agent, String hash) {
    record Key(
        String uid,
        long generation,
        InjectionStrategy strategy,
        boolean nativeSidecar,
        Map<String, String> podSysctls) {}
  }

  public PodInjector(InjectedContainers containers, ObjectMapper mapper) {
    this.containers = containers;
    this.mapper = mapper;
  }

  /**
   * Mutates {@code pod} in place; the caller keeps the original serialized form to diff against.
   *
   * @return the keepalive sysctls the pod sets itself, whose values were kept
   */
  public Set<String> inject(
      Pod pod, KeepalivePolicy policy, InjectionStrategy strategy, ClusterFacts cluster) {
    if (strategy == InjectionStrategy.Auto) {
      throw new IllegalArgumentException("resolve Auto to a concrete strategy first");
    }
    PodSpec spec = pod.getSpec() != null ? pod.getSpec() : new PodSpec();
    pod.setSpec(spec);
    Map<String, String> podSysctls = podSysctls(spec);
    Set<String> podSets = podSysctls.keySet();
    Parts parts = parts(policy, strategy, cluster.nativeSidecars(), podSysctls);
    List<Container> inits =
        new ArrayList<>(spec.getInitContainers() == null ? List.of() : spec.getInitContainers());
    int next = 0;
    if (strategy == InjectionStrategy.SecurityContext) {
      PodSecurityContext psc =
          spec.getSecurityContext() != null ? spec.getSecurityContext() : new PodSecurityContext();
      List<Sysctl> sysctls =
          new ArrayList<>(psc.getSysctls() == null ? List.of() : psc.getSysctls());
      parts.sysctls().stream().filter(s -> !podSets.contains(s.getName())).forEach(sysctls::add);
      psc.setSysctls(sysctls);
      spec.setSecurityContext(psc);
    } else if (parts.init() != null) {
      // first, so that every other init container and the agent already run with the policy's
      // values
      inits.add(0, parts.init());
      next = 1;
    }

    if (parts.agent() != null) {
      if (cluster.nativeSidecars()) {
        // right after our own init container: observing starts before the user's init containers
        inits.add(next, parts.agent());
      } else {
        // last, so that kubectl logs/exec keep defaulting to the workload's first container
        List<Container> regular =
            new ArrayList<>(spec.getContainers() == null ? List.of() : spec.getContainers());
        regular.add(parts.agent());
        spec.setContainers(regular);
      }
      List<Volume> volumes =
          new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
      volumes.add(containers.agentTmpVolume());
      spec.setVolumes(volumes);
    }
    if (!inits.isEmpty()) {
      spec.setInitContainers(inits);
    }
    if (parts.init() != null || parts.agent() != null) {
      addPullSecrets(spec, containers.imagePullSecrets());
    }

    ObjectMeta meta = pod.getMetadata() != null ? pod.getMetadata() : new ObjectMeta();
    pod.setMetadata(meta);
    Map<String, String> annotations =
        new LinkedHashMap<>(meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
    annotations.put(PodMarks.POLICY_ANNOTATION, policy.getMetadata().getName());
    annotations.put(
        PodMarks.GENERATION_ANNOTATION, String.valueOf(policy.getMetadata().getGeneration()));
    annotations.put(PodMarks.STRATEGY_ANNOTATION, strategy.name());
    annotations.put(PodMarks.HASH_ANNOTATION, parts.hash());
    if (parts.agent() != null) {
      // the port of the container just injected, so the annotation cannot disagree with the pod
      annotations.put(
          PodMarks.AGENT_PORT_ANNOTATION,
          String.valueOf(InjectedContainers.agentPort(parts.agent())));
    }
    meta.setAnnotations(annotations);
    return podSets;
  }

  private Parts parts(
      KeepalivePolicy policy,
      InjectionStrategy strategy,
      boolean nativeSidecar,
      Map<String, String> podSysctls) {
    String uid = policy.getMetadata().getUid();
    Long generation = policy.getMetadata().getGeneration();
    if (uid == null || generation == null) {
      return build(
          policy,
          strategy,
          nativeSidecar,
          podSysctls); // not from the API server: nothing to key on
    }
    if (built.size() > MAX_BUILT) {
      built.clear();
    }
    return built.computeIfAbsent(
        new Parts.Key(uid, generation, strategy, nativeSidecar, podSysctls),
        k -> build(policy, strategy, nativeSidecar, podSysctls));
  }

  private Parts build(
      KeepalivePolicy policy,
      InjectionStrategy strategy,
      boolean nativeSidecar,
      Map<String, String> podSysctls) {
    Map<String, Object> injected = new LinkedHashMap<>();
    injected.put("strategy", strategy.name());
    KeepaliveValues values = KeepaliveValues.of(policy.getSpec().getTcp());
    List<Sysctl> sysctls = InjectedContainers.sysctls(values);
    injected.put("sysctls", sysctls);
    Container init = null;
    if (strategy == InjectionStrategy.InitContainer) {
      init = containers.sysctlInitContainer(values, podSysctls.keySet()).orElse(null);
      injected.put("init", init);
    }
    Container agent = null;
    if (policy.getSpec().agentOrDefaults().isEnabled()) {
      agent = containers.agentContainer(policy, podSysctls, nativeSidecar);
      injected.put("agent", agent);
    }
    return new Parts(sysctls, init, agent, hash(injected));
  }

  /** After the pod's own, the ones it does not have yet: a pod's pull secrets are never dropped. */
  private static void addPullSecrets(PodSpec spec, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    List<LocalObjectReference> secrets =
        new ArrayList<>(
            spec.getImagePullSecrets() == null ? List.of() : spec.getImagePullSecrets());
    for (String name : names) {
      if (secrets.stream().noneMatch(s -> name.equals(s.getName()))) {
        secrets.add(new LocalObjectReference(name));
      }
    }
    spec.setImagePullSecrets(secrets);
  }

  /** The keepalive sysctls the pod sets itself, by name (sorted: part of the build cache's key). */
  private static Map<String, String> podSysctls(PodSpec spec) {
    Map<String, String> own = new TreeMap<>();
    if (spec.getSecurityContext() != null && spec.getSecurityContext().getSysctls() != null) {
      for (Sysctl s : spec.getSecurityContext().getSysctls()) {
        if (KeepaliveSysctl.SYSCTL_NAMES.contains(s.getName())) {
          own.put(s.getName(), s.getValue());
        }
      }
    }
    return own;
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
