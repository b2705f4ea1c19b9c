package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import io.keepalive.testing.Processes;
import io.keepalive.testing.Processes.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The tarball the build writes, imported by the real containerd (Debian's, as the local cluster
 * runs it) the way the cluster scripts import it: `ctr -n k8s.io images import`. A throwaway daemon
 * with its own root, state and socket under a temporary directory, stopped by its PID: no running
 * cluster is touched.
 */
class ImageImportIT {

  @Test
  void containerdImportsAndUnpacksTheImageUnderTheChartsName() throws Exception {
    assertEquals("root", System.getProperty("user.name"), "containerd needs root; CI runs as root");
    for (String tool : List.of("containerd", "ctr")) {
      assertEquals(
          0,
          Processes.run(List.of("sh", "-c", "command -v " + tool)).exit(),
          tool + " is missing: hack/prereqs.sh installs Debian's containerd");
    }
    Image image = Image.built();
    Path dir = Files.createTempDirectory("containerd");
    Path socket = dir.resolve("containerd.sock");
    // the CRI plugin stays off: this daemon only stores images
    Files.writeString(
        dir.resolve("config.toml"),
        """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%1$s/containerd.sock"
                [ttrpc]
                  address = "%1$s/containerd.sock.ttrpc"
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                """
            .formatted(dir));
    Path log = dir.resolve("containerd.log");
    Process containerd =
        new ProcessBuilder("containerd", "--config", dir.resolve("config.toml").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                assertTrue(containerd.isAlive(), () -> "containerd exited:\n" + read(log));
                return Files.exists(socket);
              });
      Result imported = ctr(socket, "images", "import", image.tarball.toString());
      assertEquals(0, imported.exit(), imported.output());
      String name = ImageIT.chartDefaultImage();
      assertTrue(
          imported.stdout().contains("unpacking " + name),
          "unpacked for the default snapshotter: " + imported.output());

      assertEquals(
          List.of(name),
          List.of(ctr(socket, "images", "ls", "-q").requireSuccess().stdout().trim().split("\n")));
      String check = ctr(socket, "images", "check").requireSuccess().stdout();
      assertTrue(
          check.contains(name) && check.contains("complete"),
          "every blob of the image is present:\n" + check);
    } finally {
      containerd.destroy();
      if (!containerd.waitFor(15, TimeUnit.SECONDS)) {
        containerd.destroyForcibly();
        containerd.waitFor(10, TimeUnit.SECONDS);
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static Result ctr(Path socket, String... args) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("ctr", "--address", socket.toString(), "--namespace", "k8s.io"));
    command.addAll(List.of(args));
    return Processes.run(Duration.ofMinutes(2), command);
  }
}
