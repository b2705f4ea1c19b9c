package io.keepalive.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * With more than one replica only the Lease holder reconciles (every replica serves the webhook). Quarkus
 * operator-sdk turns leader election on only when such a bean exists and the profile is listed in
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod). The Lease lives in the operator's
 * namespace; the chart's Role grants get/update on exactly this name.
 */
@ApplicationScoped
public class LeaderElection {
    public static final String LEASE_NAME = "keepalive-operator-lease";

    @Produces
    @Singleton
    @Unremovable
    LeaderElectionConfiguration leaderElectionConfiguration(OperatorSettings settings) {
        return new LeaderElectionConfiguration(LEASE_NAME, settings.namespace());
    }
}
