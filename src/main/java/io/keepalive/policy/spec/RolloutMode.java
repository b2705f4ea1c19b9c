package io.keepalive.policy.spec;

/** Who restarts the workloads whose pods run without the policy's current generation. */
public enum RolloutMode {
  /** The user does (kubectl rollout restart); the status says which pods wait. */
  Manual,
  /** The operator restarts their Deployments, StatefulSets and DaemonSets, one at a time. */
  Automatic
}
