package io.keepalive.check;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodSecurity;
import io.keepalive.webhook.WebhookRegistration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code check-inject}: why a pod is (not) injected, for a pod that exists or a manifest about to
 * be applied, with the webhook's own decision ({@link InjectionCheck}) over what the cluster holds
 * now. Reads with the caller's kubeconfig; changes nothing.
 */
public final class CheckInjectCommand {
  public static final String MODE = "check-inject";
  public static final String USAGE =
      MODE
          + " (POD -n NAMESPACE | -f MANIFEST [-n NAMESPACE]) [--configuration NAME]"
          + " [--pod-security-default privileged|baseline|restricted]";

  private CheckInjectCommand() {}

  /**
   * @return 0 when the pod runs (or a new one like it gets) the policy's current generation, 1 when
   *     not, 2 on a usage error or what cannot be read
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      return run(args, out, err, client);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err, KubernetesClient client) {
    Args parsed;
    try {
      parsed = Args.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(MODE + ": " + e.getMessage() + "\nusage: " + USAGE);
      return 2;
    }
    try {
      Pod pod;
      String namespace;
      if (parsed.manifest != null) {
        pod =
            client
                .getKubernetesSerialization()
                .unmarshal(Files.readString(Path.of(parsed.manifest)), Pod.class);
        namespace =
            firstOf(
                parsed.namespace,
                pod.getMetadata() == null ? null : pod.getMetadata().getNamespace(),
                client.getNamespace(),
                "default");
      } else {
        namespace = firstOf(parsed.namespace, client.getNamespace(), "default");
        pod = client.pods().inNamespace(namespace).withName(parsed.pod).get();
        if (pod == null) {
          err.println(MODE + ": pod " + namespace + "/" + parsed.pod + " not found");
          return 2;
        }
      }
      Namespace ns = client.namespaces().withName(namespace).get();
      Optional<Map<String, String>> labels =
          ns == null
              ? Optional.empty()
              : Optional.of(
                  ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
      List<KeepalivePolicy> policies =
          client.resources(KeepalivePolicy.class).inNamespace(namespace).list().getItems();
      var version = client.getKubernetesVersion();
      ClusterFacts cluster =
          new ClusterFacts(
              KubeVersion.of(version.getMajor(), version.getMinor(), version.getGitVersion())
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              "unreadable API server version " + version.getGitVersion())));
      MutatingWebhookConfiguration configuration =
          client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName(parsed.configuration)
              .get();
      Optional<MutatingWebhook> registration =
          configuration == null
              ? Optional.empty()
              : configuration.getWebhooks().stream()
                  .filter(w -> WebhookRegistration.WEBHOOK_NAME.equals(w.getName()))
                  .findFirst();

      String name = pod.getMetadata() == null ? null : pod.getMetadata().getName();
      out.println(
          "pod "
              + namespace
              + "/"
              + (name == null ? "(generateName)" : name)
              + (parsed.manifest != null ? " (from " + parsed.manifest + ")" : "")
              + ", Kubernetes "
              + version.getGitVersion()
              + ", "
              + policies.size()
              + " KeepalivePolicies in the namespace");
      InjectionCheck check =
          InjectionCheck.of(
              pod,
              namespace,
              labels,
              policies,
              registration,
              parsed.podSecurityDefault,
              cluster,
              parsed.manifest == null);
      check.lines().forEach(out::println);
      return check.injected() ? 0 : 1;
    } catch (IOException | KubernetesClientException | IllegalStateException e) {
      err.println(MODE + ": " + e.getMessage());
      return 2;
    }
  }

  private static String firstOf(String... candidates) {
    for (String c : candidates) {
      if (c != null && !c.isBlank()) {
        return c;
      }
    }
    return null;
  }

  private record Args(
      String pod,
      String manifest,
      String namespace,
      String configuration,
      PodSecurity.Level podSecurityDefault) {

    static Args parse(String[] args) {
      String pod = null, manifest = null, namespace = null, configuration = "keepalive-operator";
      PodSecurity.Level level = PodSecurity.Level.privileged;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "-n", "--namespace" -> namespace = value(args, ++i, arg);
          case "-f", "--filename" -> manifest = value(args, ++i, arg);
          case "--configuration" -> configuration = value(args, ++i, arg);
          case "--pod-security-default" -> {
            String v = value(args, ++i, arg);
            try {
              level = PodSecurity.Level.valueOf(v.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  arg + " must be privileged, baseline or restricted, not '" + v + "'");
            }
          }
          default -> {
            if (arg.startsWith("-") || pod != null) {
              throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            pod = arg;
          }
        }
      }
      if ((pod == null) == (manifest == null)) {
        throw new IllegalArgumentException("name a pod or give a manifest with -f, not both");
      }
      return new Args(pod, manifest, namespace, configuration, level);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length || args[i].isBlank()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
