package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed copies of generated files equal what the build and the chart produce now. The CRD
 * comes from the Java classes (target/kubernetes/, written by `package`); deploy/ comes from the
 * chart.
 */
class GeneratedFilesIT {
  private static final String FIX = " is stale: run hack/generate.sh and commit the result";

  @Test
  void chartCarriesTheGeneratedCrdByteForByte() throws IOException {
    Path copy = chartDir().resolve("files/crds").resolve(CRD_FILE);
    assertArrayEquals(Files.readAllBytes(generatedCrd()), Files.readAllBytes(copy), copy + FIX);
  }

  @Test
  void chartRendersTheGeneratedCrd() {
    JsonNode rendered =
        one(
            documents(template("keepalive-operator", DEPLOY_NAMESPACE)),
            "CustomResourceDefinition");
    assertEquals(
        "",
        difference(tree(generatedCrd()), withoutChartMetadata(rendered), ""),
        "the CRD the chart renders differs from target/kubernetes/"
            + CRD_FILE
            + "; the chart's copy"
            + FIX);
    assertEquals("keep", rendered.at("/metadata/annotations/helm.sh~1resource-policy").asText());
  }

  @Test
  void plainManifestsAreTheChartRenderedWithDefaults() throws IOException {
    Path deploy = projectDir().resolve("deploy/keepalive-operator.yaml");
    List<JsonNode> committed = documents(Files.readString(deploy));

    JsonNode namespace = committed.get(0);
    assertEquals(
        "Namespace", namespace.path("kind").asText(), deploy + " starts with its Namespace;" + FIX);
    assertEquals(DEPLOY_NAMESPACE, namespace.at("/metadata/name").asText());
    assertEquals(
        "restricted",
        namespace.at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText());

    List<JsonNode> fresh = documents(template("keepalive-operator", DEPLOY_NAMESPACE));
    var freshTree = YAML.valueToTree(fresh);
    var committedTree = YAML.valueToTree(committed.subList(1, committed.size()));
    assertEquals("", difference(freshTree, committedTree, ""), deploy + FIX);

    assertEquals(
        "",
        difference(
            tree(generatedCrd()),
            withoutChartMetadata(one(committed, "CustomResourceDefinition")),
            ""),
        "the CRD in " + deploy + " differs from target/kubernetes/" + CRD_FILE + ";" + FIX);
  }

  @Test
  void generateScriptReproducesTheCommittedFiles() throws IOException {
    Path out = Files.createTempDirectory("generate");
    Result result =
        exec(
            List.of(
                "bash",
                projectDir().resolve("hack/generate.sh").toString(),
                "--skip-build",
                "--output",
                out.toString()),
            java.util.Map.of(
                "KEEPALIVE_TOOLS_DIR",
                ControlPlane.toolsDir().toString(),
                "K8S_VERSION",
                ControlPlane.kubernetesVersion()));
    assertEquals(0, result.exit(), result.output());
    Path deploy = projectDir().resolve("deploy/keepalive-operator.yaml");
    assertEquals(
        Files.readString(deploy),
        Files.readString(out.resolve("keepalive-operator.yaml")),
        deploy + FIX);
  }
}
