package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.keepalive.Main;
import io.keepalive.testing.Processes.Result;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * No container engine runs here, so the Dockerfiles are not built; these checks hold them to the
 * image the Maven build does write (Quarkus' Jib extension, ImageIT) and to what the chart and the
 * webhook run: the same non-root user, ports and entrypoint, the mode as the argument, real paths.
 */
class DockerfilesIT {
  private static final List<String> MODES = List.of("operator", "agent", "apply-sysctls");

  record Instruction(String keyword, String args) {}

  private static List<Instruction> parse(String file) throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : Files.readAllLines(projectDir().resolve(file))) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      pending.append(line.trim());
      if (line.endsWith("\\")) {
        pending.setLength(pending.length() - 1);
        continue;
      }
      String text = pending.toString();
      pending.setLength(0);
      int space = text.indexOf(' ');
      out.add(
          new Instruction(
              text.substring(0, space).toUpperCase(), text.substring(space + 1).trim()));
    }
    return out;
  }

  /** The instructions of the last stage: what the image is. */
  private static List<Instruction> runtimeStage(List<Instruction> all) {
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        from = i;
      }
    }
    return all.subList(from, all.size());
  }

  private static Instruction last(List<Instruction> stage, String keyword) {
    Instruction found = null;
    for (Instruction i : stage) {
      if (i.keyword().equals(keyword)) {
        found = i;
      }
    }
    assertNotNull(found, "no " + keyword);
    return found;
  }

  private static List<String> execForm(Instruction instruction) throws IOException {
    assertTrue(
        instruction.args().startsWith("["),
        instruction + " must use the exec form (signals reach the JVM)");
    List<String> out = new ArrayList<>();
    new ObjectMapper().readTree(instruction.args()).forEach(n -> out.add(n.asText()));
    return out;
  }

  /** What both Dockerfiles share with the image `./mvnw package` builds: user, ports, no CMD. */
  private static void assertImageInvariants(List<Instruction> runtime) {
    Image built = Image.built();
    String user = last(runtime, "USER").args();
    assertTrue(
        user.matches("[1-9][0-9]*(:[0-9]+)?"), "USER must be a numeric non-root uid, was " + user);
    assertEquals(built.user(), user, "the same user as the image the build writes");
    assertTrue(
        runtime.stream().noneMatch(i -> i.keyword().equals("CMD")),
        "no CMD, as in the built image: without arguments Main runs the operator");
    List<String> exposed = new ArrayList<>();
    for (String port : last(runtime, "EXPOSE").args().split("\\s+")) {
      exposed.add(port.contains("/") ? port : port + "/tcp");
    }
    assertEquals(new TreeSet<>(built.exposedPorts()), new TreeSet<>(exposed), "EXPOSE");
  }

  private static Document pom() throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(projectDir().resolve("pom.xml").toFile());
  }

  /** A property of pom.xml: the Jib extension's settings for the image are kept there. */
  private static String pomProperty(String name) throws Exception {
    var found = pom().getElementsByTagName(name);
    assertEquals(1, found.getLength(), "pom.xml has no single property " + name);
    return found.item(0).getTextContent().trim();
  }

  /** The pom's quarkus.jib.environment-variables.NAME properties, as NAME to value. */
  private static Map<String, String> jibEnvironment() throws Exception {
    String prefix = "quarkus.jib.environment-variables.";
    Map<String, String> env = new LinkedHashMap<>();
    var properties = pom().getDocumentElement().getElementsByTagName("properties");
    for (int i = 0; i < properties.getLength(); i++) {
      if (properties.item(i).getParentNode()
          != properties.item(i).getOwnerDocument().getDocumentElement()) {
        continue; // a profile's or a plugin's
      }
      var children = properties.item(i).getChildNodes();
      for (int j = 0; j < children.getLength(); j++) {
        if (children.item(j) instanceof Element property
            && property.getTagName().startsWith(prefix)) {
          env.put(
              property.getTagName().substring(prefix.length()), property.getTextContent().trim());
        }
      }
    }
    return env;
  }

  /** A property set by the pom profile with id "native", activated by -Dnative. */
  private static String nativeProfileProperty(String name) throws Exception {
    var profiles = pom().getElementsByTagName("profile");
    for (int i = 0; i < profiles.getLength(); i++) {
      Element profile = (Element) profiles.item(i);
      if (text(profile, "id").equals("native") && text(profile, "activation").equals("native")) {
        return text(profile, name);
      }
    }
    throw new AssertionError("pom.xml has no profile \"native\" activated by -Dnative");
  }

  private static String text(Element parent, String tag) {
    var found = parent.getElementsByTagName(tag);
    return found.getLength() == 0 ? "" : found.item(0).getTextContent().trim();
  }

  @Test
  void nativeImageRunsTheRunnerMavenBuildsAsNonRoot() throws Exception {
    List<Instruction> all = parse("Dockerfile.native");
    assertEquals(
        "quay.io/quarkus/ubi-quarkus-mandrel-builder-image:jdk-21 AS build", all.get(0).args());
    assertTrue(
        all.stream()
            .anyMatch(
                i ->
                    i.keyword().equals("RUN")
                        && i.args().contains(" package")
                        && i.args().contains("-Dnative")
                        && i.args().contains("-Dquarkus.container-image.build=false")),
        "the build stage runs ./mvnw package -Dnative, without the Jib image (its base image is not in the stage)");
    assertEquals(
        "true",
        nativeProfileProperty("quarkus.native.enabled"),
        "-Dnative builds a native executable only through a pom profile named native (Quarkus' plugin looks for it)");
    List<Instruction> runtime = runtimeStage(all);
    assertEquals(
        pomProperty("quarkus.jib.base-native-image"),
        runtime.get(0).args(),
        "the runtime base of Quarkus' own native image build");
    assertImageInvariants(runtime);
    assertEquals(
        List.of(pomProperty("quarkus.jib.native-entrypoint").split(",")),
        execForm(last(runtime, "ENTRYPOINT")),
        "the entrypoint of Quarkus' own native image build");

    Matcher copy =
        Pattern.compile("--from=build .*?/code/(target/\\S+)\\s+(\\S+)$")
            .matcher(last(runtime, "COPY").args());
    assertTrue(copy.find(), "COPY --from=build of the runner: " + last(runtime, "COPY"));
    String runner = "target/" + System.getProperty("tests.build.final-name") + "-runner";
    assertTrue(
        FileSystems.getDefault().getPathMatcher("glob:" + copy.group(1)).matches(Path.of(runner)),
        copy.group(1) + " does not match the binary `package -Dnative` writes: " + runner);
    assertEquals(
        List.of(copy.group(2)),
        execForm(last(runtime, "ENTRYPOINT")),
        "ENTRYPOINT is the copied binary");
  }

  @Test
  void jvmImageRunsTheFastJarAsNonRootLikeTheBuiltImage() throws Exception {
    List<Instruction> runtime = runtimeStage(parse("Dockerfile.jvm"));
    assertImageInvariants(runtime);
    Image built = Image.built();
    List<String> entrypoint = execForm(last(runtime, "ENTRYPOINT"));
    assertEquals(built.entrypoint(), entrypoint, "the entrypoint of the image the build writes");
    assertEquals(built.workingDir(), last(runtime, "WORKDIR").args());
    // the environment the image sets itself: Dockerfile.jvm's ENV, the pom's Jib settings, the
    // image
    Map<String, String> env = new LinkedHashMap<>();
    for (Instruction instruction : runtime) {
      if (instruction.keyword().equals("ENV")) {
        for (String pair : instruction.args().trim().split("\\s+")) {
          assertTrue(pair.contains("="), "ENV in the NAME=value form: " + instruction);
          env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
      }
    }
    assertEquals(jibEnvironment(), env, "Dockerfile.jvm's ENV against the pom's Jib settings");
    env.forEach(
        (name, value) ->
            assertEquals(value, built.env().get(name), name + " in the image the build writes"));
    String jar = entrypoint.get(entrypoint.indexOf("-jar") + 1);
    boolean jarCopied = false;
    for (Instruction copy : runtime) {
      if (!copy.keyword().equals("COPY")) {
        continue;
      }
      String[] parts = copy.args().split("\\s+");
      Path source = projectDir().resolve(parts[0]);
      assertTrue(Files.exists(source), parts[0] + " is not what `./mvnw package` writes");
      String destination = parts[1].replaceFirst("^/", "").replaceFirst("/$", "");
      assertTrue(
          built.has(destination),
          parts[1] + " is not where the built image has it: the layouts differ");
      jarCopied |=
          parts[1].equals(jar) && source.getFileName().toString().equals("quarkus-run.jar");
    }
    assertTrue(jarCopied, "ENTRYPOINT runs " + jar + ", which no COPY puts there");

    // the same command line against the local build: modes are dispatched from the arguments
    List<String> command = new ArrayList<>(entrypoint);
    command.set(
        entrypoint.indexOf(jar),
        projectDir().resolve("target/quarkus-app/quarkus-run.jar").toString());
    command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Result unknown = exec(append(command, "no-such-mode"));
    assertEquals(2, unknown.exit(), unknown.output());
    assertTrue(unknown.output().contains(Main.USAGE), unknown.output());

    // a mode the webhook passes reaches its own code: apply-sysctls rejects an out-of-range value
    // (exit 2, the
    // valid range named; nothing is written), which the operator mode or the unknown-mode usage
    // never print.
    // Only stable parts are asserted, so rewording the message does not break this.
    Result applySysctls = exec(append(command, "apply-sysctls", "--probes=200"));
    assertEquals(2, applySysctls.exit(), applySysctls.output());
    assertTrue(
        applySysctls.stderr().contains("--probes") && applySysctls.stderr().contains("1..127"),
        "apply-sysctls --probes=200 must name the option and its range 1..127: "
            + applySysctls.output());
    assertFalse(
        applySysctls.output().contains(Main.USAGE),
        "apply-sysctls was not dispatched: " + applySysctls.output());
  }

  private static List<String> append(List<String> command, String... args) {
    List<String> out = new ArrayList<>(command);
    out.addAll(List.of(args));
    return out;
  }

  @Test
  void buildContextHoldsWhatTheDockerfilesCopy() throws IOException {
    List<String> ignore = Files.readAllLines(projectDir().resolve(".dockerignore"));
    for (String needed : List.of("!src/", "!pom.xml", "!mvnw", "!.mvn/", "!target/quarkus-app/")) {
      assertTrue(
          ignore.contains(needed), ".dockerignore must let " + needed.substring(1) + " through");
    }
  }
}
