package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * hack/cluster-down.sh undoes everything hack/cluster-up.sh and the running cluster changed on the
 * machine: kernel tunables, the bridge, nftables (ours and kube-proxy's), mounts, host directories,
 * cgroups, processes. The cluster comes back up afterwards for the classes that run later.
 */
@ExtendWith(LocalCluster.class)
class ClusterTeardownIT {

  @Test
  void teardownRestoresTheHost() {
    LocalCluster.down();
    HostState after = HostState.read();
    try {
      assertEquals(
          "",
          String.join("\n", LocalCluster.hostStateBeforeUp().differencesTo(after)),
          "the host after hack/cluster-down.sh differs from the host before hack/cluster-up.sh");
    } finally {
      LocalCluster.up();
      LocalCluster.installChart();
    }
  }
}
