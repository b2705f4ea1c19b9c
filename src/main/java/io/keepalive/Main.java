package io.keepalive;

import io.keepalive.agent.AgentMain;
import io.keepalive.agent.ApplySysctlsCommand;
import io.keepalive.check.CheckInjectCommand;
import io.keepalive.sidecar.Modes;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * One image, four modes. Only the operator boots Quarkus (Kubernetes client, reconciler, webhook);
 * the init container and the sidecar run plain code so that they start fast, stay small and never
 * reach for the Kubernetes API. {@code check-inject} is for people: it reads the cluster with their
 * kubeconfig and says why a pod is (not) injected.
 */
@QuarkusMain
public class Main {
  public static final String USAGE =
      "usage: keepalive-operator ["
          + Modes.OPERATOR
          + " | "
          + Modes.AGENT
          + " | "
          + Modes.APPLY_SYSCTLS
          + " --time=S --interval=S --probes=N | "
          + CheckInjectCommand.USAGE
          + "]";

  public static void main(String... args) {
    String mode = args.length == 0 ? Modes.OPERATOR : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (mode) {
      case Modes.OPERATOR -> Quarkus.run(rest);
      case Modes.APPLY_SYSCTLS ->
          System.exit(ApplySysctlsCommand.run(rest, System.out, System.err));
      case Modes.AGENT -> AgentMain.run(rest);
      case CheckInjectCommand.MODE ->
          System.exit(CheckInjectCommand.run(rest, System.out, System.err));
      default -> {
        System.err.println("unknown mode '" + mode + "'; " + USAGE);
        System.exit(2);
      }
    }
  }
}
