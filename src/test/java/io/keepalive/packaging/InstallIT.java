package io.keepalive.packaging;

import static io.keepalive.packaging.Packaging.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.operator.LeaderElection;
import io.keepalive.policy.spec.PodSelector;
import io.keepalive.rules.PodSelection;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Processes.Result;
import io.keepalive.testing.TestNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rendered chart installs into a real kube-apiserver, its RBAC lets the operator do its job and
 * nothing else (asked of the API server's own authorizer), and the operator's pod passes Pod
 * Security restricted. Names are unique per run (release namespace and cluster-scoped objects); the
 * webhook configuration, which points at a Service without pods, is deleted at the end.
 */
class InstallIT {
  private static KubernetesClient client;
  private static String namespace;
  private static String fullname;
  private static String serviceAccount;
  private static List<JsonNode> rendered;

  @BeforeAll
  static void install() throws IOException {
    client = ControlPlane.client();
    namespace = TestNamespaces.create(client, "ka-install");
    fullname = "ka-" + namespace.substring(namespace.lastIndexOf('-') + 1);
    serviceAccount = "system:serviceaccount:" + namespace + ":" + fullname;
    String yaml = template("keepalive-operator", namespace, "fullnameOverride=" + fullname);
    rendered = documents(yaml);
    Path file = Files.createTempFile("keepalive-install", ".yaml");
    Files.writeString(file, yaml);
    ControlPlane.kubectl(
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=install-it",
        "-f",
        file.toString());
    ControlPlane.kubectl(
        "wait",
        "--for=condition=Established",
        "--timeout=60s",
        "customresourcedefinition/keepalivepolicies.keepalive.io");
  }

  @AfterAll
  static void removeWebhookConfigurations() {
    if (fullname != null) {
      ControlPlane.kubectl(
          "delete",
          "mutatingwebhookconfiguration",
          fullname,
          fullname + "-helm",
          "--ignore-not-found");
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void everyRenderedObjectIsAccepted() throws IOException {
    for (JsonNode doc : rendered) {
      String kind = doc.get("kind").asText();
      String name = doc.at("/metadata/name").asText();
      List<String> get = new ArrayList<>(List.of("get", kind + "/" + name, "-o", "name"));
      if (doc.at("/metadata/namespace").isTextual()) {
        get.addAll(List.of("-n", doc.at("/metadata/namespace").asText()));
      }
      assertFalse(
          ControlPlane.kubectl(get.toArray(String[]::new)).isBlank(),
          kind + "/" + name + " is missing");
    }
    // the CRD serves policies: an example from deploy/examples is accepted by its schema
    ControlPlane.kubectl(
        "apply",
        "-n",
        namespace,
        "-f",
        projectDir().resolve("deploy/examples/aws-nat-gateway.yaml").toString());
    assertEquals(
        "egress-through-nat",
        ControlPlane.kubectl(
            "get",
            "keepalivepolicies",
            "-n",
            namespace,
            "-o",
            "jsonpath={.items[0].metadata.name}"));
  }

  @Test
  void rbacHasNoWildcards() {
    List<String> inspected = new ArrayList<>();
    for (JsonNode role : rendered) {
      if (!role.path("kind").asText().endsWith("Role")) {
        continue;
      }
      inspected.add(role.path("kind").asText() + "/" + role.at("/metadata/name").asText());
      assertFalse(
          role.path("rules").isEmpty(), inspected.get(inspected.size() - 1) + " has no rules");
      for (JsonNode rule : role.path("rules")) {
        for (String field :
            List.of("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs")) {
          rule.path(field)
              .forEach(
                  v -> assertNotEquals("*", v.asText(), role.at("/metadata/name") + ": " + rule));
        }
      }
    }
    // without this the test passes when nothing was rendered; the chart has the ClusterRoles
    // <name>-policies
    // and <name>, and the Role <name> in the release namespace
    assertTrue(
        inspected.size() >= 3,
        "expected at least 2 ClusterRoles and 1 Role, inspected " + inspected);
  }

  @Test
  void operatorCanDoItsJob() {
    String secret = fullname + "-webhook-tls";
    String lease = LeaderElection.LEASE_NAME;
    String elsewhere = "default";
    List<String[]> allowed =
        List.of(
            new String[] {"list", "keepalivepolicies.keepalive.io", "-A"},
            new String[] {"watch", "keepalivepolicies.keepalive.io", "-n", elsewhere},
            new String[] {"get", "keepalivepolicies.keepalive.io", "-n", elsewhere},
            new String[] {
              "patch", "keepalivepolicies.keepalive.io", "--subresource=status", "-n", elsewhere
            },
            new String[] {
              "update", "keepalivepolicies.keepalive.io", "--subresource=status", "-n", elsewhere
            },
            new String[] {"list", "pods", "-A"},
            new String[] {"watch", "pods", "-n", elsewhere},
            new String[] {"watch", "namespaces"},
            new String[] {"get", "namespaces/" + elsewhere},
            new String[] {"create", "events", "-n", elsewhere},
            new String[] {"patch", "events", "-n", elsewhere},
            new String[] {"create", "secrets", "-n", namespace},
            new String[] {"get", "secrets/" + secret, "-n", namespace},
            new String[] {"update", "secrets/" + secret, "-n", namespace},
            new String[] {
              "get", "mutatingwebhookconfigurations.admissionregistration.k8s.io/" + fullname
            },
            new String[] {
              "patch", "mutatingwebhookconfigurations.admissionregistration.k8s.io/" + fullname
            },
            new String[] {"create", "leases.coordination.k8s.io", "-n", namespace},
            new String[] {"get", "leases.coordination.k8s.io/" + lease, "-n", namespace},
            new String[] {"update", "leases.coordination.k8s.io/" + lease, "-n", namespace},
            // fabric8 7 renews the Lease with a PATCH: without it the leader loses the Lease at its
            // first
            // renewal and exits (found on the real cluster)
            new String[] {"patch", "leases.coordination.k8s.io/" + lease, "-n", namespace});
    List<String[]> denied =
        List.of(
            new String[] {"get", "secrets", "-n", "kube-system"},
            new String[] {"get", "secrets/" + secret, "-n", elsewhere},
            new String[] {"get", "secrets/some-other-secret", "-n", namespace},
            new String[] {"list", "secrets", "-n", namespace},
            new String[] {"watch", "secrets", "-n", namespace},
            new String[] {"create", "pods", "-n", elsewhere},
            new String[] {"create", "pods", "-n", namespace},
            new String[] {"create", "pods/exec", "-n", elsewhere},
            new String[] {"update", "pods", "-n", elsewhere},
            new String[] {"delete", "pods", "-n", elsewhere},
            new String[] {"delete", "keepalivepolicies.keepalive.io", "-n", elsewhere},
            new String[] {"update", "keepalivepolicies.keepalive.io", "-n", elsewhere},
            new String[] {"patch", "keepalivepolicies.keepalive.io", "-n", elsewhere},
            new String[] {"create", "keepalivepolicies.keepalive.io", "-n", elsewhere},
            new String[] {"delete", "namespaces/" + elsewhere},
            new String[] {"delete", "secrets/" + secret, "-n", namespace},
            new String[] {"delete", "events", "-n", elsewhere},
            new String[] {"delete", "leases.coordination.k8s.io/" + lease, "-n", namespace},
            new String[] {"update", "leases.coordination.k8s.io/some-other-lease", "-n", namespace},
            new String[] {"create", "leases.coordination.k8s.io", "-n", elsewhere},
            new String[] {
              "patch", "mutatingwebhookconfigurations.admissionregistration.k8s.io/someone-elses"
            },
            new String[] {"create", "mutatingwebhookconfigurations.admissionregistration.k8s.io"},
            new String[] {
              "update", "mutatingwebhookconfigurations.admissionregistration.k8s.io/" + fullname
            },
            new String[] {
              "delete", "mutatingwebhookconfigurations.admissionregistration.k8s.io/" + fullname
            },
            new String[] {
              "patch", "validatingwebhookconfigurations.admissionregistration.k8s.io/" + fullname
            },
            new String[] {
              "update",
              "customresourcedefinitions.apiextensions.k8s.io/keepalivepolicies.keepalive.io"
            },
            new String[] {"escalate", "clusterroles.rbac.authorization.k8s.io"},
            new String[] {"bind", "clusterroles.rbac.authorization.k8s.io"},
            new String[] {"create", "clusterrolebindings.rbac.authorization.k8s.io"},
            new String[] {"create", "rolebindings.rbac.authorization.k8s.io", "-n", namespace},
            new String[] {"impersonate", "serviceaccounts", "-n", namespace},
            new String[] {"create", "serviceaccounts/token", "-n", namespace},
            // restarting workloads is opt-in (rollout.enabled): by default not even reading them
            new String[] {"patch", "deployments.apps", "-n", elsewhere},
            new String[] {"get", "deployments.apps", "-n", elsewhere},
            new String[] {"get", "replicasets.apps", "-n", elsewhere},
            new String[] {"*", "*", "-A"});
    List<String> wrong = new ArrayList<>();
    allowed.forEach(
        q -> {
          if (!canI(q)) wrong.add("cannot " + String.join(" ", q));
        });
    denied.forEach(
        q -> {
          if (canI(q)) wrong.add("can " + String.join(" ", q));
        });
    assertEquals(List.of(), wrong, "RBAC of " + serviceAccount);
  }

  /**
   * With rollout.enabled=true the operator may read a pod's ReplicaSet and read and patch
   * Deployments, StatefulSets and DaemonSets (a restart is a patch of the pod template), in every
   * namespace it watches, and nothing more: no create, update, delete or scale, nothing on pods,
   * Jobs or ReplicaSets beyond reading them. With watchNamespaces, only there. Each installed under
   * its own name (its RBAC only), beside the default installation above.
   */
  @Test
  void rolloutRightsOnlyWhenEnabledAndOnlyThese() throws IOException {
    String all = fullname + "-ro";
    String one = fullname + "-rw";
    String watched = TestNamespaces.create(client, "ka-watched");
    applyRbac(all, "rollout.enabled=true");
    applyRbac(one, "rollout.enabled=true", "watchNamespaces={" + watched + "}");
    String elsewhere = "default";
    String operator = "--as=system:serviceaccount:" + namespace + ":" + all;
    String watching = "--as=system:serviceaccount:" + namespace + ":" + one;
    List<String> wrong = new ArrayList<>();
    for (String kind : List.of("deployments.apps", "statefulsets.apps", "daemonsets.apps")) {
      expect(wrong, true, "get", kind, "-n", elsewhere, operator);
      expect(wrong, true, "patch", kind, "-n", elsewhere, operator);
      for (String verb :
          List.of("create", "update", "delete", "deletecollection", "list", "watch")) {
        expect(wrong, false, verb, kind, "-n", elsewhere, operator);
      }
      expect(wrong, false, "patch", kind, "--subresource=scale", "-n", elsewhere, operator);
      expect(wrong, false, "update", kind, "--subresource=status", "-n", elsewhere, operator);
      expect(wrong, true, "patch", kind, "-n", watched, watching);
      expect(wrong, false, "patch", kind, "-n", elsewhere, watching);
    }
    expect(wrong, true, "get", "replicasets.apps", "-n", elsewhere, operator);
    expect(wrong, false, "patch", "replicasets.apps", "-n", elsewhere, operator);
    expect(wrong, false, "list", "replicasets.apps", "-n", elsewhere, operator);
    expect(wrong, false, "patch", "jobs.batch", "-n", elsewhere, operator);
    expect(wrong, false, "patch", "cronjobs.batch", "-n", elsewhere, operator);
    expect(wrong, false, "delete", "pods", "-n", elsewhere, operator);
    expect(wrong, false, "create", "pods/eviction", "-n", elsewhere, operator);
    expect(wrong, false, "patch", "pods", "-n", elsewhere, operator);
    assertEquals(List.of(), wrong);
  }

  /** Only the roles and bindings of the chart rendered with these values. */
  private static void applyRbac(String name, String... sets) throws IOException {
    List<String> values = new ArrayList<>(List.of("fullnameOverride=" + name));
    values.addAll(List.of(sets));
    StringBuilder rbac = new StringBuilder();
    for (JsonNode doc :
        documents(template("keepalive-operator", namespace, values.toArray(String[]::new)))) {
      if (doc.path("kind").asText().matches("(Cluster)?Role(Binding)?")) {
        rbac.append("---\n").append(YAML.writeValueAsString(doc));
      }
    }
    Path file = Files.createTempFile("keepalive-rbac", ".yaml");
    Files.writeString(file, rbac.toString());
    ControlPlane.kubectl(
        "apply", "--server-side", "--field-manager=install-it", "-f", file.toString());
  }

  private static boolean canI(String[] query) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i"));
    args.addAll(List.of(query));
    if (List.of(query).stream().noneMatch(a -> a.startsWith("--as="))) {
      args.add("--as=" + serviceAccount); // the operator, unless the query says whom
    }
    Result result = ControlPlane.kubectlResult(args.toArray(String[]::new));
    String answer = result.stdout().trim();
    if (result.exit() == 0 && answer.equals("yes")) {
      return true;
    }
    if (result.exit() == 1 && answer.startsWith("no")) {
      return false;
    }
    throw new IllegalStateException(
        "kubectl auth can-i " + String.join(" ", query) + ": " + result.output());
  }

  @Test
  void operatorPodPassesPodSecurityRestricted() throws IOException {
    String restricted =
        TestNamespaces.create(
            client,
            "ka-restricted",
            Map.of(
                "pod-security.kubernetes.io/enforce", "restricted",
                "pod-security.kubernetes.io/enforce-version", "latest"));
    JsonNode template = one(rendered, "Deployment").at("/spec/template");

    ObjectNode pod = podFrom(template, "operator");
    assertEquals(
        "",
        create(restricted, pod),
        "the operator's pod template is rejected by Pod Security restricted");

    // the control: the same pod with one hardening removed is rejected, so the namespace does
    // enforce
    ObjectNode weaker = podFrom(template, "operator-weaker");
    ((ObjectNode) weaker.at("/spec/containers/0/securityContext")).remove("capabilities");
    String rejection = create(restricted, weaker);
    assertTrue(rejection.contains("violates PodSecurity \"restricted"), rejection);
  }

  private static ObjectNode podFrom(JsonNode template, String name) {
    ObjectNode pod = YAML.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata.put("name", name);
    metadata.set("labels", template.at("/metadata/labels").deepCopy());
    pod.set("spec", template.get("spec").deepCopy());
    return pod;
  }

  /** Creates the object; returns "" on success and the API server's refusal otherwise. */
  private static String create(String ns, JsonNode object) throws IOException {
    Path file = Files.createTempFile("keepalive-pod", ".json");
    Files.writeString(file, object.toString());
    Result result = ControlPlane.kubectlResult("create", "-n", ns, "-f", file.toString());
    return result.exit() == 0 ? "" : result.output();
  }

  /**
   * A namespace admin manages policies through the built-in admin role, with no RBAC written for
   * them. This control plane runs no kube-controller-manager, so the test does what its
   * clusterrole-aggregation controller does (the built-in roles' aggregationRule over every
   * ClusterRole's labels, to a fixed point) and binds the result in one namespace, as a namespace
   * admin is bound; the API server's authorizer answers.
   */
  @Test
  void namespaceAdminsManagePoliciesThroughTheBuiltInRoles() {
    String other = TestNamespaces.create(client, "ka-other");
    Map<String, List<PolicyRule>> aggregated = aggregate(List.of("admin", "edit", "view"));
    String suffix = fullname.substring(3);
    for (String role : List.of("admin", "view")) {
      client
          .rbac()
          .clusterRoles()
          .resource(
              new ClusterRoleBuilder()
                  .withNewMetadata()
                  .withName("aggregated-" + role + "-" + suffix)
                  .endMetadata()
                  .withRules(aggregated.get(role))
                  .build())
          .create();
      client
          .rbac()
          .roleBindings()
          .inNamespace(namespace)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName(role + "-" + suffix)
                  .endMetadata()
                  .withNewRoleRef(
                      "rbac.authorization.k8s.io",
                      "ClusterRole",
                      "aggregated-" + role + "-" + suffix)
                  .addNewSubject()
                  .withKind("User")
                  .withName(role + "-" + suffix)
                  .withApiGroup("rbac.authorization.k8s.io")
                  .endSubject()
                  .build())
          .create();
    }
    String admin = "--as=admin-" + suffix, viewer = "--as=view-" + suffix;
    String policies = "keepalivepolicies.keepalive.io";
    List<String> wrong = new ArrayList<>();
    for (String verb : List.of("create", "update", "patch", "delete", "get", "list", "watch")) {
      expect(wrong, true, verb, policies, "-n", namespace, admin);
      expect(wrong, false, verb, policies, "-n", other, admin);
    }
    expect(wrong, false, "patch", policies, "--subresource=status", "-n", namespace, admin);
    expect(wrong, false, "update", policies, "--subresource=status", "-n", namespace, admin);
    expect(wrong, true, "get", policies, "--subresource=status", "-n", namespace, admin);
    expect(wrong, true, "list", policies, "-n", namespace, viewer);
    expect(wrong, true, "get", policies, "--subresource=status", "-n", namespace, viewer);
    expect(wrong, false, "create", policies, "-n", namespace, viewer);
    expect(wrong, false, "list", policies, "-n", other, viewer);
    assertEquals(List.of(), wrong);
  }

  private static void expect(List<String> wrong, boolean allowed, String... query) {
    if (canI(query) != allowed) {
      wrong.add((allowed ? "cannot " : "can ") + String.join(" ", query));
    }
  }

  /** The rules the clusterrole-aggregation controller gives each of these roles. */
  private static Map<String, List<PolicyRule>> aggregate(List<String> roles) {
    List<ClusterRole> all = client.rbac().clusterRoles().list().getItems();
    Map<String, List<PolicyRule>> rules = new HashMap<>();
    all.forEach(
        r -> rules.put(r.getMetadata().getName(), r.getRules() == null ? List.of() : r.getRules()));
    boolean changed = true;
    while (changed) {
      changed = false;
      for (ClusterRole role : all) {
        if (role.getAggregationRule() == null) {
          continue;
        }
        List<PolicyRule> union = new ArrayList<>();
        for (ClusterRole source : all) {
          boolean selected =
              !source.getMetadata().getName().equals(role.getMetadata().getName())
                  && role.getAggregationRule().getClusterRoleSelectors().stream()
                      .anyMatch(
                          s ->
                              PodSelection.selects(
                                  PodSelector.from(s), source.getMetadata().getLabels()));
          if (selected) {
            rules.get(source.getMetadata().getName()).stream()
                .filter(r -> !union.contains(r))
                .forEach(union::add);
          }
        }
        if (!union.equals(rules.get(role.getMetadata().getName()))) {
          rules.put(role.getMetadata().getName(), union);
          changed = true;
        }
      }
    }
    Map<String, List<PolicyRule>> wanted = new HashMap<>();
    roles.forEach(r -> wanted.put(r, rules.get(r)));
    assertTrue(
        wanted.get("admin").stream().anyMatch(r -> r.getResources().contains("keepalivepolicies")),
        "the built-in admin role does not select the chart's policy roles");
    return wanted;
  }

  /**
   * The chart itself, installed and uninstalled by helm: NOTES render, the CRD stays, everything
   * else goes.
   */
  @Test
  void helmInstallAndUninstall() {
    String releaseNamespace = namespace + "-helm";
    String release = "keepalive";
    String kubeconfig = ControlPlane.kubeconfigFile().toString();
    // --take-ownership: the CRD may already exist (installed above with kubectl)
    String notes =
        helm(
            List.of(
                "install",
                release,
                chartDir().toString(),
                "--kubeconfig",
                kubeconfig,
                "--namespace",
                releaseNamespace,
                "--create-namespace",
                "--take-ownership",
                "--set",
                "fullnameOverride=" + fullname + "-helm"));
    assertTrue(
        notes.contains(
            "kubectl -n " + releaseNamespace + " rollout status deployment/" + fullname + "-helm"),
        notes);
    assertEquals(
        "deployment.apps/" + fullname + "-helm",
        ControlPlane.kubectl(
                "get", "deployment", fullname + "-helm", "-n", releaseNamespace, "-o", "name")
            .trim());
    assertEquals(
        fullname + "-helm",
        ControlPlane.kubectl(
            "get",
            "mutatingwebhookconfiguration",
            fullname + "-helm",
            "-o",
            "jsonpath={.metadata.name}"));

    helm(
        List.of("uninstall", release, "--kubeconfig", kubeconfig, "--namespace", releaseNamespace));
    assertEquals(
        "",
        ControlPlane.kubectl(
                "get",
                "mutatingwebhookconfiguration",
                "--ignore-not-found",
                fullname + "-helm",
                "-o",
                "name")
            .trim(),
        "uninstall removes the webhook configuration");
    assertEquals(
        "",
        ControlPlane.kubectl(
                "get",
                "deployment",
                "-n",
                releaseNamespace,
                "--ignore-not-found",
                fullname + "-helm",
                "-o",
                "name")
            .trim());
    assertEquals(
        "customresourcedefinition.apiextensions.k8s.io/keepalivepolicies.keepalive.io",
        ControlPlane.kubectl("get", "crd", "keepalivepolicies.keepalive.io", "-o", "name").trim(),
        "crds.keep: uninstall leaves the CRD and every policy");
  }
}
