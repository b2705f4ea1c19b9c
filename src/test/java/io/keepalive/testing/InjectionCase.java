package io.keepalive.testing;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.KubeVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The golden injection cases under src/test/resources/injection/&lt;case&gt;/: pod.yaml,
 * namespace.yaml, policy*.yaml, an optional cluster.txt (API server version, default v1.34) and
 * expected.json (what the webhook answers).
 *
 * @param dir the case's directory, where expected.json lives
 */
public record InjectionCase(
    String name,
    Path dir,
    Namespace namespace,
    List<KeepalivePolicy> policies,
    ClusterFacts cluster) {
  public static final Path CASES = Path.of("src/test/resources/injection");
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  /** Every case's name, sorted. */
  public static List<String> names() {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static InjectionCase load(String name) {
    Path dir = CASES.resolve(name);
    try {
      Namespace namespace =
          YAML.unmarshal(Files.readString(dir.resolve("namespace.yaml")), Namespace.class);
      List<KeepalivePolicy> policies = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p :
            files.filter(f -> f.getFileName().toString().startsWith("policy")).sorted().toList()) {
          policies.add(YAML.unmarshal(Files.readString(p), KeepalivePolicy.class));
        }
      }
      Path clusterFile = dir.resolve("cluster.txt");
      KubeVersion version =
          KubeVersion.parse(
                  Files.exists(clusterFile) ? Files.readString(clusterFile).trim() : "v1.34")
              .orElseThrow();
      return new InjectionCase(name, dir, namespace, policies, new ClusterFacts(version));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh copy of the case's pod, as the API server would send it. */
  public Pod pod() {
    try {
      return YAML.unmarshal(Files.readString(dir.resolve("pod.yaml")), Pod.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String namespaceName() {
    return namespace.getMetadata().getName();
  }

  public Map<String, String> namespaceLabels() {
    return namespace.getMetadata().getLabels() == null
        ? Map.of()
        : namespace.getMetadata().getLabels();
  }

  /** The cluster the webhook sees in this case. */
  public FixedCluster view() {
    return new FixedCluster(namespace, policies, cluster);
  }

  @Override
  public String toString() {
    return name;
  }
}
