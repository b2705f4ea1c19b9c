package io.keepalive.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes;
import io.keepalive.testing.Processes.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The chart, the generated files and the real helm binary, for the packaging checks. */
final class Packaging {
  static final YAMLMapper YAML = new YAMLMapper();
  static final String CRD_FILE = "keepalivepolicies.keepalive.io-v1.yml";
  static final String DEPLOY_NAMESPACE = "keepalive-system";

  private Packaging() {}

  static Path projectDir() {
    return Path.of(System.getProperty("tests.project.dir", System.getProperty("user.dir")));
  }

  static Path chartDir() {
    return projectDir().resolve("helm/keepalive-operator");
  }

  static Path generatedCrd() {
    Path crd = projectDir().resolve("target/kubernetes").resolve(CRD_FILE);
    if (!Files.isRegularFile(crd)) {
      throw new IllegalStateException(
          crd
              + " is missing: these checks run after `./mvnw package` "
              + "(failsafe, integration-test phase)");
    }
    return crd;
  }

  /**
   * Installs the generated CRD unless there already (other packaging tests may have, with their own
   * field manager).
   */
  static void ensureCrd(KubernetesClient client) throws IOException {
    var crd =
        client
            .getKubernetesSerialization()
            .unmarshal(Files.readString(generatedCrd()), CustomResourceDefinition.class);
    if (client.resource(crd).get() == null) {
      client.resource(crd).create();
    }
  }

  /**
   * `helm template` of the chart (Kubernetes version pinned as in hack/generate.sh), plus --set
   * pairs.
   */
  static String template(String releaseName, String namespace, String... sets) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "template",
                releaseName,
                chartDir().toString(),
                "--namespace",
                namespace,
                "--kube-version",
                ControlPlane.kubernetesVersion()));
    for (String set : sets) {
      command.add("--set");
      command.add(set);
    }
    return helm(command);
  }

  static String helm(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ControlPlane.helm().toString());
    command.addAll(args);
    return exec(command).requireSuccess().stdout();
  }

  /** Runs a command; never throws on a non-zero exit (callers that expect failure look at it). */
  static Result exec(List<String> command) {
    return Processes.run(command);
  }

  static Result exec(List<String> command, java.util.Map<String, String> env) {
    return Processes.run(Processes.DEFAULT_TIMEOUT, command, env);
  }

  /** Every non-empty document of a multi-document YAML stream, as trees. */
  static List<JsonNode> documents(String yaml) {
    try (var parser = YAML.getFactory().createParser(yaml)) {
      List<JsonNode> docs = new ArrayList<>();
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The operator's JVM flags as the chart gives them (values.yaml jvmOptions: JAVA_TOOL_OPTIONS).
   */
  static List<String> chartJvmOptions() {
    String flags = tree(chartDir().resolve("values.yaml")).path("jvmOptions").asText().trim();
    if (flags.isEmpty()) {
      throw new AssertionError("values.yaml has no jvmOptions for the operator");
    }
    return List.of(flags.split("\\s+"));
  }

  static JsonNode tree(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  static JsonNode one(List<JsonNode> docs, String kind) {
    List<JsonNode> found = ofKind(docs, kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return found.get(0);
  }

  static Optional<JsonNode> named(List<JsonNode> docs, String kind, String name) {
    return ofKind(docs, kind).stream()
        .filter(d -> name.equals(d.path("metadata").path("name").asText()))
        .findFirst();
  }

  /**
   * The CRD as generated: the rendered one without what the chart adds (its labels, the keep
   * annotation).
   */
  static JsonNode withoutChartMetadata(JsonNode crd) {
    ObjectNode copy = crd.deepCopy();
    ObjectNode metadata = (ObjectNode) copy.get("metadata");
    metadata.remove("labels");
    if (metadata.path("annotations").isObject()) {
      ((ObjectNode) metadata.get("annotations")).remove("helm.sh/resource-policy");
      if (metadata.get("annotations").isEmpty()) {
        metadata.remove("annotations");
      }
    }
    return copy;
  }

  /**
   * The first place two YAML trees differ ("" when equal). Numbers compare by value: the generator
   * writes 86400.0 where Helm's toYaml writes 86400, the same JSON number for the API server.
   */
  static String difference(JsonNode expected, JsonNode actual, String path) {
    if (expected.isNumber() && actual.isNumber()) {
      return expected.decimalValue().compareTo(actual.decimalValue()) == 0
          ? ""
          : path + ": expected " + expected + " but was " + actual;
    }
    if (expected.isObject() && actual.isObject()) {
      var names = new java.util.TreeSet<String>();
      expected.fieldNames().forEachRemaining(names::add);
      actual.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        if (!expected.has(name) || !actual.has(name)) {
          return path + "/" + name + (expected.has(name) ? " is missing" : " is unexpected");
        }
        String d = difference(expected.get(name), actual.get(name), path + "/" + name);
        if (!d.isEmpty()) {
          return d;
        }
      }
      return "";
    }
    if (expected.isArray() && actual.isArray()) {
      if (expected.size() != actual.size()) {
        return path + ": expected " + expected.size() + " items but was " + actual.size();
      }
      for (int i = 0; i < expected.size(); i++) {
        String d = difference(expected.get(i), actual.get(i), path + "/" + i);
        if (!d.isEmpty()) {
          return d;
        }
      }
      return "";
    }
    return expected.equals(actual) ? "" : path + ": expected " + expected + " but was " + actual;
  }

  /** The operator container's env as name -> value ("<fieldRef>" for downward API entries). */
  static java.util.Map<String, String> operatorEnv(List<JsonNode> docs) {
    JsonNode container = one(docs, "Deployment").at("/spec/template/spec/containers/0");
    java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      env.put(
          e.get("name").asText(),
          e.has("value") ? e.get("value").asText() : "<" + e.get("valueFrom").toString() + ">");
    }
    return env;
  }
}
