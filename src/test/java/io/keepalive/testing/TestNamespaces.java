package io.keepalive.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One fresh namespace per test class. The control plane has no controller-manager, so deleted
 * namespaces never finish terminating; names are random so no test sees another's leftovers.
 */
public final class TestNamespaces {
  private TestNamespaces() {}

  public static String create(KubernetesClient client, String prefix) {
    return create(client, prefix, Map.of());
  }

  public static String create(KubernetesClient client, String prefix, Map<String, String> labels) {
    String name =
        prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return name;
  }

  /**
   * The namespace {@code name}, created unless it exists: for the fixed namespaces an operator runs
   * in, which several test classes of one JVM (sharing one control plane) use.
   */
  public static String ensure(KubernetesClient client, String name) {
    if (client.namespaces().withName(name).get() == null) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
    return name;
  }
}
