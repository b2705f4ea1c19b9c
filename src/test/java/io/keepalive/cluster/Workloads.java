package io.keepalive.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.testing.Policies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;

/**
 * What the tier's tests deploy, as a user writes it (YAML applied with the real kubectl):
 * namespaces with a Pod Security level, Deployments of the node's local images, policies. Images
 * are never pulled.
 */
final class Workloads {
  static final String BUSYBOX = "localhost/keepalive-cluster/busybox:1";
  static final String NGINX = "localhost/keepalive-cluster/nginx:1";
  static final String POOLED_CLIENT = "localhost/keepalive-cluster/pooled-client:1";

  /**
   * Pods of the tier start in seconds; a JVM sidecar on a loaded 2-core machine may take a while.
   */
  static final Duration READY_WITHIN = Duration.ofMinutes(3);

  private Workloads() {}

  /** A fresh namespace enforcing {@code podSecurity} (restricted, baseline or privileged). */
  static String namespace(String prefix, String podSecurity) {
    String name =
        prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    apply(
        """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    pod-security.kubernetes.io/enforce: %s
                """
            .formatted(name, podSecurity));
    return name;
  }

  static void deleteNamespace(String name) {
    LocalCluster.kubectlResult("delete", "namespace", name, "--wait=false");
  }

  /** A Deployment of busybox sleepers that passes Pod Security "restricted" as it is. */
  static String sleepers(String namespace, String app, String tier, int replicas) {
    return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %s, namespace: %s}
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %s}}
                  template:
                    metadata: {labels: {app: %s, tier: %s}}
                    spec:
                      automountServiceAccountToken: false
                      terminationGracePeriodSeconds: 1
                      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
                      containers:
                        - name: app
                          image: %s
                          imagePullPolicy: IfNotPresent
                          command: [sleep, "3600"]
                          securityContext:
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                            capabilities: {drop: [ALL]}
                """
        .formatted(app, namespace, replicas, app, app, tier, BUSYBOX);
  }

  /** The cluster IP of Service {@code name}: where clients in pods reach it through kube-proxy. */
  static String clusterIp(String namespace, String name) {
    return LocalCluster.client()
        .services()
        .inNamespace(namespace)
        .withName(name)
        .get()
        .getSpec()
        .getClusterIP();
  }

  /**
   * An nginx Deployment and its Service {@code name} (port 80), closing idle keep-alive connections
   * after {@code keepaliveTimeoutSeconds}, non-root with a read-only root filesystem.
   */
  static String nginx(String namespace, String name, int keepaliveTimeoutSeconds) {
    return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: %1$s, namespace: %2$s}
                data:
                  nginx.conf: |
                    worker_processes 1;
                    pid /tmp/nginx.pid;
                    events {}
                    http {
                      access_log off;
                      client_body_temp_path /tmp/body;
                      proxy_temp_path /tmp/proxy;
                      fastcgi_temp_path /tmp/fastcgi;
                      uwsgi_temp_path /tmp/uwsgi;
                      scgi_temp_path /tmp/scgi;
                      keepalive_timeout %3$ds;
                      server { listen 8080; location / { return 200 "ok\\n"; } }
                    }
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      automountServiceAccountToken: false
                      terminationGracePeriodSeconds: 1
                      securityContext: {runAsNonRoot: true, runAsUser: 101, seccompProfile: {type: RuntimeDefault}}
                      containers:
                        - name: nginx
                          image: %4$s
                          imagePullPolicy: IfNotPresent
                          ports: [{name: http, containerPort: 8080}]
                          readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
                          securityContext:
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                            capabilities: {drop: [ALL]}
                          volumeMounts: [{name: conf, mountPath: /etc/nginx/conf}, {name: tmp, mountPath: /tmp}]
                      volumes: [{name: conf, configMap: {name: %1$s}}, {name: tmp, emptyDir: {}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  selector: {app: %1$s}
                  ports: [{name: http, port: 80, targetPort: http}]
                """
        .formatted(name, namespace, keepaliveTimeoutSeconds, NGINX);
  }

  /**
   * One pod of hack/images/pooled-client.c: {@code pool} persistent connections to {@code host}:80,
   * a request on each every 10 s, with or without SO_KEEPALIVE.
   */
  static String pooledClient(
      String namespace, String app, String tier, String host, int pool, boolean keepalive) {
    return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s, namespace: %2$s}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s, tier: %3$s}}
                    spec:
                      automountServiceAccountToken: false
                      terminationGracePeriodSeconds: 1
                      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
                      containers:
                        - name: client
                          image: %4$s
                          imagePullPolicy: IfNotPresent
                          env:
                            - {name: TARGET_HOST, value: "%5$s"}
                            - {name: POOL, value: "%6$d"}
                            - {name: INTERVAL, value: "10"}
                            - {name: SO_KEEPALIVE, value: "%7$d"}
                          securityContext:
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                            capabilities: {drop: [ALL]}
                """
        .formatted(app, namespace, tier, POOLED_CLIENT, host, pool, keepalive ? 1 : 0);
  }

  /**
   * kubectl apply of a YAML text (through a file: the test process runner gives commands no stdin).
   */
  static String apply(String yaml) {
    try {
      Path file = Files.createTempFile("cluster-tier", ".yaml");
      try {
        Files.writeString(file, yaml);
        return LocalCluster.kubectl("apply", "-f", file.toString());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the Deployment has rolled out (all replicas updated and ready). */
  static void awaitRollout(String namespace, String deployment) {
    LocalCluster.kubectl(
        "rollout",
        "status",
        "-n",
        namespace,
        "deployment/" + deployment,
        "--timeout=" + READY_WITHIN.toSeconds() + "s");
  }

  /**
   * The running, not terminating pods of {@code app}, once there are exactly {@code count} of them.
   */
  static List<Pod> runningPods(String namespace, String app, int count) {
    KubernetesClient client = LocalCluster.client();
    return Awaitility.await()
        .atMost(READY_WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(namespace)
                    .withLabel("app", app)
                    .list()
                    .getItems()
                    .stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(p -> "Running".equals(p.getStatus().getPhase()))
                    .toList(),
            pods -> pods.size() == count);
  }

  /**
   * The three keepalive sysctls as the container reads them from /proc/sys, "time/interval/probes".
   */
  static String keepaliveSeenBy(Pod pod, String container) {
    return String.join(
        "/",
        LocalCluster.procSys(pod, container, "net/ipv4/tcp_keepalive_time"),
        LocalCluster.procSys(pod, container, "net/ipv4/tcp_keepalive_intvl"),
        LocalCluster.procSys(pod, container, "net/ipv4/tcp_keepalive_probes"));
  }

  /**
   * The host's own keepalive sysctls, "time/interval/probes": a pod's values must never reach them.
   */
  static String hostKeepalive() {
    try {
      return String.join(
          "/",
          Files.readString(Path.of("/proc/sys/net/ipv4/tcp_keepalive_time")).trim(),
          Files.readString(Path.of("/proc/sys/net/ipv4/tcp_keepalive_intvl")).trim(),
          Files.readString(Path.of("/proc/sys/net/ipv4/tcp_keepalive_probes")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A policy selecting the pods labelled {@code tier: <tier>} with the given values and strategy,
   * plus any further spec (indented YAML, e.g. an agent section). Applied, then awaited until the
   * operator has seen it, so that pods created next meet a webhook that knows it.
   */
  static void policy(
      String namespace, String name, String tier, String tcp, String strategy, String moreSpec) {
    String[] v = tcp.split("/");
    apply(
        """
                apiVersion: keepalive.io/v1alpha1
                kind: KeepalivePolicy
                metadata: {name: %s, namespace: %s}
                spec:
                  selector: {matchLabels: {tier: %s}}
                  strategy: %s
                  tcp: {timeSeconds: %s, intervalSeconds: %s, probes: %s}
                %s"""
            .formatted(name, namespace, tier, strategy, v[0], v[1], v[2], moreSpec.indent(2)));
    Policies.awaitStatus(LocalCluster.client(), namespace, name, READY_WITHIN, p -> {});
  }
}
