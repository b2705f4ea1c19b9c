package io.keepalive.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.keepalive.settings.OperatorSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * With more than one replica only the Lease holder reconciles; every replica serves the webhook,
 * leading or not. Losing the Lease (a long pause, an API server out of reach) only stops this
 * replica's reconciling: it stands again at once, and when it leads again every policy is
 * reconciled afresh. The process never exits over it, so a single replica keeps answering the API
 * server's admission reviews all the while. The Lease lives in the operator's namespace; the
 * chart's Role grants get/update on exactly this name.
 *
 * <p>Without leader election (tests, or keepalive.leader-election.enabled=false) this replica leads
 * from the start.
 */
@ApplicationScoped
public class LeaderElection {
  public static final String LEASE_NAME = "keepalive-operator-lease";
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  private final KubernetesClient client;
  private final OperatorSettings.LeaderElection settings;
  private final String namespace;
  private final String identity;
  private final ScheduledExecutorService elections =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "keepalive-leader-election");
            thread.setDaemon(true);
            return thread;
          });
  private volatile boolean leading;
  private volatile boolean stopping;
  private volatile CompletableFuture<?> election;
  private volatile Runnable onLeading = () -> {};

  public LeaderElection(KubernetesClient client, OperatorSettings settings) {
    this.client = client;
    this.settings = settings.leaderElection();
    this.namespace = settings.namespace();
    // the pod's name, as kubectl shows it; a process restarted in the same pod leads on at once
    String host = System.getenv("HOSTNAME");
    this.identity =
        host == null || host.isBlank() ? "keepalive-operator-" + UUID.randomUUID() : host;
    this.leading = !this.settings.enabled();
  }

  /** Whether this replica reconciles now. */
  public boolean leading() {
    return leading;
  }

  /** Called each time this replica starts leading (on the election's thread). */
  public void onLeading(Runnable listener) {
    this.onLeading = listener;
  }

  void onStart(@Observes StartupEvent event) {
    if (settings.enabled()) {
      elections.execute(this::stand);
    }
  }

  /** Before the operator stops: give the Lease up, so that another replica leads at once. */
  void onStop(@Observes @Priority(1) ShutdownEvent event) {
    stopping = true;
    leading = false;
    CompletableFuture<?> current = election;
    if (current != null) {
      current.cancel(true); // releases the Lease (releaseOnCancel)
    }
    elections.shutdownNow();
  }

  /** One candidacy: wait for the Lease, lead while renewing it, and stand again when it is lost. */
  private void stand() {
    if (stopping) {
      return;
    }
    var elector =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(LEASE_NAME)
                    .withLock(new LeaseLock(namespace, LEASE_NAME, identity))
                    .withLeaseDuration(Duration.ofSeconds(settings.leaseDurationSeconds()))
                    .withRenewDeadline(Duration.ofSeconds(settings.renewDeadlineSeconds()))
                    .withRetryPeriod(Duration.ofSeconds(settings.retryPeriodSeconds()))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            this::startedLeading,
                            this::stoppedLeading,
                            leader -> LOG.infof("policy reconciliation is led by %s", leader)))
                    .build())
            .build();
    election = elector.start();
    election.whenComplete(
        (v, e) -> {
          leading = false;
          if (!stopping) {
            elections.schedule(this::stand, settings.retryPeriodSeconds(), TimeUnit.SECONDS);
          }
        });
  }

  private void startedLeading() {
    LOG.infof("leading (%s): this replica reconciles policies", identity);
    leading = true;
    onLeading.run();
  }

  private void stoppedLeading() {
    leading = false;
    if (!stopping) {
      LOG.warn(
          "lost the leader Lease: this replica stops reconciling until it leads again; the webhook"
              + " keeps serving");
    }
  }
}
