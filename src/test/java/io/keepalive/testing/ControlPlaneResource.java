package io.keepalive.testing;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points the operator under test at the real control plane: the client uses the kubeconfig
 * kube-api-test wrote, and the API server calls the webhook at a loopback URL.
 */
public class ControlPlaneResource implements QuarkusTestResourceLifecycleManager {
  public static final String OPERATOR_NAMESPACE = "keepalive-system";
  public static int webhookPort;

  /** Agents started by tests listen here; the operator asks pods' agents on this port. */
  public static int agentPort;

  /** Short, so a test sees the operator collect agents' reports within seconds. */
  public static final int AGENT_COLLECT_SECONDS = 2;

  @Override
  public Map<String, String> start() {
    Config config = ControlPlane.config();
    try (var client = ControlPlane.client()) {
      TestNamespaces.ensure(client, OPERATOR_NAMESPACE);
    }
    webhookPort = Ports.free();
    agentPort = Ports.free();
    Map<String, String> props = new HashMap<>();
    props.put("quarkus.kubernetes-client.api-server-url", config.getMasterUrl());
    // kube-api-test's kubeconfig names files or carries data, depending on its version
    putEither(props, "ca-cert", config.getCaCertData(), config.getCaCertFile());
    putEither(props, "client-cert", config.getClientCertData(), config.getClientCertFile());
    putEither(props, "client-key", config.getClientKeyData(), config.getClientKeyFile());
    props.put("quarkus.kubernetes-client.namespace", OPERATOR_NAMESPACE);
    props.put("keepalive.namespace", OPERATOR_NAMESPACE);
    props.put("keepalive.webhook.port", Integer.toString(webhookPort));
    props.put("keepalive.agent.port", Integer.toString(agentPort));
    props.put("keepalive.agent.collect-interval-seconds", Integer.toString(AGENT_COLLECT_SECONDS));
    props.put("keepalive.webhook.url", "https://127.0.0.1:" + webhookPort + "/mutate-pods");
    return props;
  }

  private static void putEither(Map<String, String> props, String name, String data, String file) {
    if (data != null) {
      props.put("quarkus.kubernetes-client." + name + "-data", data);
    } else if (file != null) {
      props.put("quarkus.kubernetes-client." + name + "-file", file);
    } else {
      throw new IllegalStateException("the control plane's kubeconfig has no " + name);
    }
  }

  @Override
  public void stop() {
    // the control plane lives for the whole JVM; other test classes reuse it
  }
}
