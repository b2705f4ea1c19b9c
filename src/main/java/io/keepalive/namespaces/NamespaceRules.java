package io.keepalive.namespaces;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodSecurity;
import io.keepalive.rules.SkipReason;
import io.keepalive.settings.OperatorSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * What a namespace says about a policy, whatever the pod: it opted out, or its Pod Security (with
 * the API server's version) rules the policy's strategy out. The policy status and the webhook both
 * read it, so a pod the webhook skips for its namespace counts as skipped on the status whether the
 * webhook has started, is retrying, or is turned off. Namespaces come from an informer started with
 * the operator; one the informer does not hold yet (created a moment ago) is read with a GET each
 * time until it does.
 */
@ApplicationScoped
public class NamespaceRules {
  private static final Logger LOG = Logger.getLogger(NamespaceRules.class);
  private final KubernetesClient client;

  /**
   * Pod Security level of namespaces without an enforce label (the API server's admission default).
   */
  private final PodSecurity.Level defaultLevel;

  private final SharedIndexInformer<Namespace> namespaces;

  /** Opt-in registration: pods of namespaces without keepalive.io/inject=true never reach us. */
  private final boolean optIn;

  private volatile ClusterFacts facts;
  private CompletableFuture<Void> synced;

  public NamespaceRules(KubernetesClient client, OperatorSettings settings) {
    this.client = client;
    this.defaultLevel =
        PodSecurity.Level.valueOf(
            settings.webhook().podSecurityDefaultEnforce().trim().toLowerCase(Locale.ROOT));
    this.optIn = settings.webhook().optIn();
    this.namespaces = client.namespaces().runnableInformer(0);
    namespaces.exceptionHandler(
        (started, t) -> true); // keep retrying: RBAC or the API server may come later
  }

  void onStart(@Observes StartupEvent event) {
    synced();
  }

  void onStop(@Observes ShutdownEvent event) {
    namespaces.stop();
  }

  /**
   * Completes once the informer holds every namespace; until then {@link #labels} reads with a GET.
   */
  public synchronized CompletableFuture<Void> synced() {
    if (synced == null) {
      synced = namespaces.start().toCompletableFuture();
    }
    return synced;
  }

  /**
   * Why no new pod of {@code namespace} can take {@code policy}; empty when its pods can. Throws
   * while the API server's version cannot be read: without it the strategy cannot be judged.
   */
  public Optional<SkipReason> rulesOut(String namespace, KeepalivePolicy policy) {
    Optional<Map<String, String>> labels = labels(namespace);
    if (optIn && labels.isPresent() && !"true".equals(labels.get().get(PodMarks.INJECT_LABEL))) {
      return Optional.of(SkipReason.OptedOut);
    }
    return InjectionDecision.namespaceRulesOut(namespace, labels, policy, defaultLevel, facts())
        .map(InjectionDecision.Skip::reason);
  }

  /** Whether {@link #labels} answers this namespace from the informer, without a request. */
  public boolean cached(String namespace) {
    return namespaces.getStore().getByKey(namespace) != null;
  }

  /**
   * The namespace's labels; empty when it cannot be found. One not yet in the informer (created a
   * moment ago) is read from the API server: a blocking call ({@link #cached} says beforehand).
   */
  public Optional<Map<String, String>> labels(String namespace) {
    Namespace ns = namespaces.getStore().getByKey(namespace);
    if (ns == null) {
      try {
        ns = client.namespaces().withName(namespace).get();
      } catch (RuntimeException e) {
        LOG.warnf("cannot read namespace %s: %s", namespace, e.getMessage());
      }
    }
    if (ns == null) {
      return Optional.empty();
    }
    return Optional.of(
        ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
  }

  /**
   * The API server's version, read once: it stands in for the kubelets' (the version-skew policy
   * allows that).
   */
  public ClusterFacts facts() {
    ClusterFacts known = facts;
    if (known == null) {
      var version = client.getKubernetesVersion();
      KubeVersion server =
          KubeVersion.of(version.getMajor(), version.getMinor(), version.getGitVersion())
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "unreadable API server version " + version.getGitVersion()));
      known = new ClusterFacts(server);
      facts = known;
    }
    return known;
  }

  public PodSecurity.Level defaultLevel() {
    return defaultLevel;
  }
}
