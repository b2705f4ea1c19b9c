package io.keepalive.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.policy.spec.TcpKeepalive;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.awaitility.Awaitility;

/** Policies for tests, and the wait for what the operator writes on a policy. */
public final class Policies {
  /** The labels most tests select by. */
  public static final Map<String, String> WEB = Map.of("app", "web");

  private Policies() {}

  /** A policy as a test creates it on the API server. */
  public static KeepalivePolicy policy(
      String namespace,
      String name,
      Map<String, String> matchLabels,
      int time,
      int interval,
      int probes) {
    return named(name)
        .namespace(namespace)
        .selecting(matchLabels)
        .tcp(time, interval, probes)
        .build();
  }

  /**
   * A policy of namespace "ns" selecting {@link #WEB} with keepalive 120/15/4 and strategy Auto,
   * not stored yet (no creation time, generation or uid); say what else it has.
   */
  public static Builder named(String name) {
    return new Builder(name);
  }

  public static final class Builder {
    private final KeepalivePolicy policy = new KeepalivePolicy();

    private Builder(String name) {
      policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
      KeepalivePolicySpec spec = new KeepalivePolicySpec();
      spec.setSelector(new PodSelector(WEB));
      spec.setTcp(new TcpKeepalive(120, 15, 4));
      policy.setSpec(spec);
    }

    public Builder namespace(String namespace) {
      policy.getMetadata().setNamespace(namespace);
      return this;
    }

    public Builder selecting(Map<String, String> matchLabels) {
      policy.getSpec().setSelector(new PodSelector(matchLabels));
      return this;
    }

    /** Stored by the API server at {@code creationTimestamp}, with this generation and a uid. */
    public Builder stored(String creationTimestamp, long generation) {
      policy.getMetadata().setCreationTimestamp(creationTimestamp);
      policy.getMetadata().setGeneration(generation);
      policy.getMetadata().setUid("uid-" + policy.getMetadata().getName());
      return this;
    }

    public Builder created(String creationTimestamp) {
      policy.getMetadata().setCreationTimestamp(creationTimestamp);
      return this;
    }

    public Builder deleting(String deletionTimestamp) {
      policy.getMetadata().setDeletionTimestamp(deletionTimestamp);
      return this;
    }

    public Builder strategy(InjectionStrategy strategy) {
      policy.getSpec().setStrategy(strategy);
      return this;
    }

    public Builder tcp(int time, int interval, int probes) {
      policy.getSpec().setTcp(new TcpKeepalive(time, interval, probes));
      return this;
    }

    public KeepalivePolicy build() {
      return policy;
    }
  }

  /**
   * Waits until the policy {@code namespace/name} has a status on which {@code assertion} holds,
   * reading it from the API server every 200 ms. A policy or status not there yet is "not yet", not
   * a failure; so is an AssertionError from {@code assertion}, whose last message the timeout
   * reports.
   */
  public static void awaitStatus(
      KubernetesClient client,
      String namespace,
      String name,
      Duration within,
      Consumer<KeepalivePolicy> assertion) {
    Awaitility.await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              KeepalivePolicy policy =
                  client
                      .resources(KeepalivePolicy.class)
                      .inNamespace(namespace)
                      .withName(name)
                      .get();
              assertNotNull(policy, "no policy " + namespace + "/" + name);
              assertNotNull(policy.getStatus(), "no status yet on " + namespace + "/" + name);
              assertion.accept(policy);
            });
  }
}
