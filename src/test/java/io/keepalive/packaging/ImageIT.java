package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.settings.OperatorSettings;
import io.keepalive.sidecar.AgentConfig;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.Modes;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The image `./mvnw package` writes (target/keepalive-operator-image.tar), read as a container
 * runtime reads it: its name is the one the chart and the webhook use, its entrypoint runs the mode
 * they pass as argument, it runs as a numeric non-root user that can write nothing but /tmp, and it
 * is built on the current base image.
 */
class ImageIT {
  static final Image IMAGE = Image.built();

  /** The chart's default image: values.yaml image.repository, tagged with Chart.yaml appVersion. */
  static String chartDefaultImage() {
    JsonNode values = tree(chartDir().resolve("values.yaml"));
    JsonNode chart = tree(chartDir().resolve("Chart.yaml"));
    return values.at("/image/repository").asText() + ":" + chart.get("appVersion").asText();
  }

  @Test
  void namedAsTheChartsDefaultImageSoIfNotPresentNeverPulls() {
    String image = chartDefaultImage();
    assertEquals(
        List.of(image),
        IMAGE.repoTags,
        "imported into containerd under this name, the chart's pods find it");

    List<JsonNode> docs = documents(template("keepalive-operator", DEPLOY_NAMESPACE));
    JsonNode operator = one(docs, "Deployment").at("/spec/template/spec/containers/0");
    assertEquals(image, operator.get("image").asText());
    assertEquals(
        "IfNotPresent",
        operator.get("imagePullPolicy").asText(),
        "a present image is never pulled");
    assertEquals(
        image,
        operatorEnv(docs).get("KEEPALIVE_IMAGE"),
        "the injected containers run the same image");
    assertEquals("IfNotPresent", operatorEnv(docs).get("KEEPALIVE_IMAGE_PULL_POLICY"));

    OperatorSettings defaults = TestSettings.defaults();
    assertEquals(image, defaults.image(), "OperatorSettings' default image (outside the chart)");
    assertEquals("IfNotPresent", defaults.imagePullPolicy());
  }

  @Test
  void entrypointRunsTheModeTheChartAndTheWebhookPassAsArguments() {
    List<String> entrypoint = IMAGE.entrypoint();
    assertEquals(List.of(), IMAGE.cmd(), "no CMD: without arguments Main runs the operator");
    // the command is looked up in the image's PATH, as runc does
    String java =
        Stream.of(IMAGE.env().get("PATH").split(":"))
            .map(dir -> dir.substring(1) + "/" + entrypoint.get(0))
            .filter(IMAGE::has)
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        entrypoint.get(0)
                            + " is on no directory of PATH "
                            + IMAGE.env().get("PATH")));
    assertEquals("opt/java/bin/java", java);
    assertEquals(0755, IMAGE.file(java).mode() & 0755);
    String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
    assertTrue(
        IMAGE.has(jar.substring(1)), "the entrypoint runs " + jar + ", which is not in the image");
    assertTrue(entrypoint.contains("-XX:-UsePerfData"), "no hsperfdata under /tmp: " + entrypoint);

    // the webhook: no command of its own (the image's entrypoint), the mode first among the args,
    // the JVM
    // flags in JAVA_TOOL_OPTIONS, which the entrypoint's java reads
    InjectedContainers injected = new InjectedContainers(TestSettings.defaults());
    Container agent =
        injected.agentContainer(Policies.policy("ns", "p", Map.of(), 300, 15, 4), Map.of(), true);
    Container sysctls =
        injected.sysctlInitContainer(new KeepaliveValues(300, 15, 4), Set.of()).orElseThrow();
    for (Container c : List.of(agent, sysctls)) {
      assertEquals(List.of(), c.getCommand(), c.getName() + " must run the image's entrypoint");
      assertEquals(TestSettings.defaults().image(), c.getImage());
      assertTrue(
          c.getEnv().stream().anyMatch(e -> e.getName().equals(InjectedContainers.JVM_OPTIONS_ENV)),
          c.getName());
    }
    assertEquals(List.of(Modes.AGENT), agent.getArgs());
    assertEquals(Modes.APPLY_SYSCTLS, sysctls.getArgs().get(0));
    assertFalse(
        IMAGE.env().containsKey(InjectedContainers.JVM_OPTIONS_ENV),
        "the image must not preset the webhook's JVM flags");

    // the chart: the operator mode as the only argument, no command
    JsonNode operator =
        one(documents(template("keepalive-operator", DEPLOY_NAMESPACE)), "Deployment")
            .at("/spec/template/spec/containers/0");
    assertTrue(
        operator.path("command").isMissingNode(), "the chart must run the image's entrypoint");
    assertEquals("[\"" + Modes.OPERATOR + "\"]", operator.get("args").toString());
  }

  @Test
  void runsAsNumericNonRootUserThatCanWriteNothingButTmp() {
    assertEquals(
        "1001",
        IMAGE.user(),
        "numeric, so the kubelet can check runAsNonRoot; the chart's runAsUser");
    List<String> writable = new ArrayList<>();
    for (Image.Entry e : IMAGE.entries()) {
      boolean tmp = e.path().equals("tmp");
      if (e.uid() != 0
          || e.gid() != 0
          || (!tmp && (e.mode() & 022) != 0 && e.linkTarget() == null)) {
        writable.add(
            e.path() + " " + e.uid() + ":" + e.gid() + " " + Integer.toOctalString(e.mode()));
      }
    }
    assertEquals(List.of(), writable, "files a non-root user could change");
    assertEquals(
        01777,
        IMAGE.file("tmp").mode(),
        "/tmp is world-writable and sticky (an emptyDir in a pod)");

    // the users the chart's operator and the injected agent run as have names, their own group and
    // /tmp as home
    JsonNode pod = tree(chartDir().resolve("values.yaml")).get("podSecurityContext");
    assertEquals(
        pod.get("runAsUser").asText(), IMAGE.user(), "the image's user is the chart's runAsUser");
    String passwd = IMAGE.file("etc/passwd").text();
    String operatorIds =
        ":" + pod.get("runAsUser").asText() + ":" + pod.get("runAsGroup").asText() + ":";
    String agentUid = Long.toString(TestSettings.defaults().agent().runAsUser());
    assertTrue(
        passwd.contains(operatorIds) && passwd.contains(":" + agentUid + ":" + agentUid + ":"),
        passwd);
    for (String line : passwd.split("\n")) {
      if (!line.startsWith("root:")) {
        assertEquals("/tmp", line.split(":")[5], line);
      }
    }
  }

  @Test
  void exposesThePortsTheChartAndTheAgentUse() {
    JsonNode operator =
        one(documents(template("keepalive-operator", DEPLOY_NAMESPACE)), "Deployment")
            .at("/spec/template/spec/containers/0");
    Set<String> expected = new TreeSet<>();
    operator.get("ports").forEach(p -> expected.add(p.get("containerPort").asInt() + "/tcp"));
    expected.add(AgentConfig.DEFAULT_PORT + "/tcp");
    assertEquals(AgentConfig.DEFAULT_PORT, TestSettings.defaults().agent().port());
    assertEquals(expected, new TreeSet<>(IMAGE.exposedPorts()));
  }

  @Test
  void holdsTheFastJarTheBuildWroteOnTheCurrentBaseImage() throws IOException {
    Image base = Image.base();
    assertEquals(
        base.diffIds(),
        IMAGE.diffIds().subList(0, base.diffIds().size()),
        "the image is not built on "
            + base.tarball
            + " as it is now: run ./mvnw package after hack/base-image.sh");
    assertEquals("/deployments", IMAGE.workingDir());
    assertEquals(base.env().get("PATH"), IMAGE.env().get("PATH"));
    assertEquals("/opt/java", IMAGE.env().get("JAVA_HOME"));

    // every file of target/quarkus-app is under /deployments, byte for byte: an image left over
    // from an earlier
    // build (-Dquarkus.container-image.build=false) fails here instead of being tested in place of
    // this one
    Path app = projectDir().resolve("target/quarkus-app");
    List<String> differ = new ArrayList<>();
    try (Stream<Path> files = Files.walk(app)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String path = "deployments/" + app.relativize(f);
        if (path.endsWith(".txt")) {
          continue; // quarkus-app-dependencies.txt: a build report, not part of the application
        }
        String sha256 = HexFormat.of().formatHex(Image.sha256().digest(Files.readAllBytes(f)));
        if (!IMAGE.has(path) || !sha256.equals(IMAGE.file(path).sha256())) {
          differ.add(path);
        }
      }
    }
    assertEquals(
        List.of(),
        differ,
        "files of target/quarkus-app missing or different in the image: "
            + "`./mvnw package` (without -Dquarkus.container-image.build=false) rebuilds it");
  }
}
