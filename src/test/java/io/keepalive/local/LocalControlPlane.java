package io.keepalive.local;

import io.keepalive.testing.ControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Starts the same real etcd + kube-apiserver the tests use, writes its kubeconfig to the path given
 * as the first argument, and keeps it running until the process is stopped. Used by
 * hack/local-up.sh.
 */
public final class LocalControlPlane {
  private LocalControlPlane() {}

  public static void main(String[] args) throws Exception {
    Path kubeconfig = Path.of(args.length > 0 ? args[0] : "target/local/kubeconfig");
    ControlPlane.start();
    Files.createDirectories(kubeconfig.toAbsolutePath().getParent());
    Path tmp = kubeconfig.resolveSibling(kubeconfig.getFileName() + ".tmp");
    Files.writeString(tmp, ControlPlane.kubeconfigYaml());
    Files.move(
        tmp, kubeconfig, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("control plane up; kubeconfig: " + kubeconfig.toAbsolutePath());
    Thread.currentThread().join();
  }
}
