package io.keepalive.rules;

/**
 * What the webhook knows about the cluster, read once at startup. The API server version stands in
 * for the kubelets' version: nodes may lag the control plane by a few minors, which the
 * version-skew policy allows.
 */
public record ClusterFacts(KubeVersion serverVersion) {

  /**
   * net.ipv4.tcp_keepalive_* became safe sysctls in v1.29: no kubelet --allowed-unsafe-sysctls
   * needed.
   */
  public boolean keepaliveSysctlsAreSafe() {
    return serverVersion.atLeast(KubeVersion.V1_29);
  }

  /** Init containers with restartPolicy Always (native sidecars) are on by default since v1.29. */
  public boolean nativeSidecars() {
    return serverVersion.atLeast(KubeVersion.V1_29);
  }
}
