package io.keepalive.operator;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.keepalive.settings.OperatorSettings;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * With more than one replica only the Lease holder reconciles (every replica serves the webhook).
 * Quarkus operator-sdk turns leader election on only when such a bean exists and the profile is
 * listed in {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod). The Lease
 * lives in the operator's namespace; the chart's Role grants get/update on exactly this name.
 *
 * <p>A replica that loses the Lease exits so that it restarts as a follower. The SDK's own exit
 * calls System.exit from the leader-election thread, which deadlocks when the loss is caused by a
 * normal shutdown (SIGTERM: the shutdown hook waits for the operator to stop, the operator's stop
 * waits for that exit): the pod would hang until the kubelet kills it. So the exit is ours,
 * asynchronous, and skipped while shutting down.
 */
@ApplicationScoped
public class LeaderElection {
  public static final String LEASE_NAME = "keepalive-operator-lease";
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);
  private static volatile boolean shuttingDown;

  @Produces
  @Singleton
  @Unremovable
  LeaderElectionConfiguration leaderElectionConfiguration(
      OperatorSettings settings, OperatorMetrics metrics) {
    return new LeaderElectionConfiguration(
        LEASE_NAME,
        settings.namespace(),
        Duration.ofSeconds(settings.leaderElection().leaseDurationSeconds()),
        Duration.ofSeconds(settings.leaderElection().renewDeadlineSeconds()),
        Duration.ofSeconds(settings.leaderElection().retryPeriodSeconds()),
        null,
        new LeaderCallbacks(
            () -> {
              metrics.leading(true);
              LOG.info("leading: this replica reconciles policies");
            },
            () -> {
              metrics.leading(false);
              stoppedLeading();
            },
            leader -> LOG.infof("policy reconciliation is led by %s", leader)),
        false);
  }

  /**
   * Runs before the operator is stopped (lower priority value first), so a normal stop is not an
   * exit.
   */
  void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
    shuttingDown = true;
  }

  static void stoppedLeading() {
    if (shuttingDown) {
      LOG.info("stopped leading: shutting down");
      return;
    }
    LOG.error("lost the leader Lease; exiting so that this replica restarts as a follower");
    Quarkus.asyncExit(1);
  }
}
