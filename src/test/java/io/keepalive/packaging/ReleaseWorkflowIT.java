package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The release workflow (never run here: it pushes) passes actionlint, and does what
 * docs/releasing.md says: both images pushed with the build's own switches, the chart pushed as an
 * OCI artifact with the tag's version.
 */
class ReleaseWorkflowIT {
  static final Path WORKFLOW = projectDir().resolve(".github/workflows/release.yml");

  static Result actionlint(Path workflow) {
    Path actionlint = ControlPlane.toolsDir().resolve("bin/actionlint");
    assertTrue(
        Files.isExecutable(actionlint), actionlint + " is missing: run hack/ensure-tools.sh");
    return exec(List.of(actionlint.toString(), "-no-color", workflow.toString()));
  }

  @Test
  void actionlintFindsNothing() {
    Result lint = actionlint(WORKFLOW);
    assertEquals(0, lint.exit(), lint.output());
  }

  /** The control: actionlint does fail a workflow with a mistake it knows. */
  @Test
  void actionlintFailsABrokenWorkflow() throws Exception {
    Path broken = Files.createTempFile("release", ".yml");
    Files.writeString(
        broken,
        Files.readString(WORKFLOW)
            .replace("needs: [image-jvm, image-native]", "needs: [image-arm]"));
    Result lint = actionlint(broken);
    assertNotEquals(0, lint.exit(), lint.output());
    assertTrue(lint.output().contains("image-arm"), lint.output());
  }

  @Test
  void itPushesBothImagesAndTheChart() throws Exception {
    String workflow = Files.readString(WORKFLOW);
    for (String step :
        List.of(
            "-Dquarkus.container-image.push=true",
            "-Dnative -Dquarkus.native.container-build=true",
            "helm package helm/keepalive-operator --version \"$version\" --app-version \"$version\"",
            "helm push \"dist/keepalive-operator-$version.tgz\" \"$CHART_REPOSITORY\"",
            "CHART_REPOSITORY: oci://")) {
      assertTrue(workflow.contains(step), "the workflow lacks " + step);
    }
  }
}
