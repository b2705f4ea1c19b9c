package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import io.keepalive.testing.Processes.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart's README is generated from values.yaml (hack/chart-readme.java): the committed one is
 * current, documents every value, and is what `helm show readme` shows.
 */
class ChartReadmeIT {
  static Result generator(String... args) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                projectDir().resolve("hack/chart-readme.java").toString()));
    command.addAll(List.of(args));
    return exec(command);
  }

  @Test
  void theCommittedReadmeIsCurrent() {
    Result check = generator("--check", chartDir().toString());
    assertEquals(0, check.exit(), check.output());
  }

  /** The control: a changed comment in values.yaml makes the check fail. */
  @Test
  void aChangedValueCommentIsDrift() throws Exception {
    Path copy = Files.createTempDirectory("chart");
    for (String file : List.of("Chart.yaml", "values.yaml", "README.md")) {
      Files.copy(chartDir().resolve(file), copy.resolve(file));
    }
    Files.writeString(
        copy.resolve("values.yaml"),
        Files.readString(copy.resolve("values.yaml"))
            .replace("# -- Operator replicas.", "# -- How many operator replicas."));
    Result check = generator("--check", copy.toString());
    assertEquals(1, check.exit(), check.output());
  }

  @Test
  void everyValueIsInTheReadmeAndHelmShowsIt() throws Exception {
    String readme = Files.readString(chartDir().resolve("README.md"));
    for (String value :
        List.of(
            "| replicaCount | int | `1` |",
            "| webhook.hostNetwork | bool | `false` |",
            "| injection.agent.resources | object |",
            "| prometheusRule.enabled | bool | `false` |")) {
      assertTrue(readme.contains(value), value);
    }
    long documented =
        Files.readAllLines(chartDir().resolve("values.yaml")).stream()
            .filter(l -> l.trim().startsWith("# --"))
            .count();
    long rows = readme.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| Key")).count();
    assertEquals(documented, rows, "one row per documented value");
    assertEquals(readme.strip(), helm(List.of("show", "readme", chartDir().toString())).strip());
  }
}
