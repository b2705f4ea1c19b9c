package io.keepalive.sidecar;

import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.spec.AgentSettings;
import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.policy.spec.IdleTimeoutDiscovery;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The agent's configuration and its environment-variable contract: the webhook writes these
 * variables into the sidecar ({@link #toEnv()}), the agent reads them back ({@link #fromEnv(Map)}).
 * One class on both sides so that the two can never disagree.
 *
 * @param policy name of the policy that injected the agent (reported back, never trusted)
 * @param desired the keepalive values the pod should run with
 * @param port port of /status, /metrics, /healthz
 * @param probeIntervalSeconds seconds between observation rounds
 * @param canaryIdleSeconds seconds the idle canary is held idle before reuse
 * @param targets HTTP targets to check
 * @param discoveryIdleSeconds idle times of idle-timeout discovery, ascending; empty: no discovery
 * @param discoveryRepeatSeconds seconds between the end of one discovery round and the next
 */
public record AgentConfig(
    String policy,
    KeepaliveValues desired,
    int port,
    int probeIntervalSeconds,
    int canaryIdleSeconds,
    List<HttpTarget> targets,
    List<Integer> discoveryIdleSeconds,
    int discoveryRepeatSeconds) {

  public static final String ENV_POLICY = "KEEPALIVE_POLICY";
  public static final String ENV_TIME = "KEEPALIVE_DESIRED_TIME_SECONDS";
  public static final String ENV_INTERVAL = "KEEPALIVE_DESIRED_INTERVAL_SECONDS";
  public static final String ENV_PROBES = "KEEPALIVE_DESIRED_PROBES";
  public static final String ENV_PORT = "KEEPALIVE_AGENT_PORT";
  public static final String ENV_PROBE_INTERVAL = "KEEPALIVE_PROBE_INTERVAL_SECONDS";
  public static final String ENV_CANARY_IDLE = "KEEPALIVE_CANARY_IDLE_SECONDS";

  /** JSON array of {"url": "...", "clientIdleTimeoutSeconds": N}. */
  public static final String ENV_TARGETS = "KEEPALIVE_HTTP_TARGETS";

  /** Comma-separated idle times of discovery; absent or empty: no discovery. */
  public static final String ENV_DISCOVERY_IDLE = "KEEPALIVE_DISCOVERY_IDLE_SECONDS";

  public static final String ENV_DISCOVERY_REPEAT = "KEEPALIVE_DISCOVERY_REPEAT_SECONDS";

  public static final int DEFAULT_PORT = 9901;

  /**
   * What the webhook gives the sidecar of a pod governed by this policy.
   *
   * @param inForce the keepalive values the pod will run with: the policy's, except sysctls the pod
   *     sets itself (kept), so the agent does not report the pod's own choice as drift
   */
  public static AgentConfig forPolicy(KeepalivePolicy policy, KeepaliveValues inForce, int port) {
    AgentSettings agent = policy.getSpec().agentOrDefaults();
    IdleTimeoutDiscovery discovery = policy.getSpec().getDiscovery();
    return new AgentConfig(
        policy.getMetadata().getName(),
        inForce,
        port,
        agent.probeInterval(),
        agent.effectiveCanaryIdleSeconds(
            policy.getSpec().getTcp().getPathIdleTimeoutSeconds(), inForce.timeSeconds()),
        List.copyOf(policy.getSpec().httpOrEmpty().getTargets()),
        discovery == null ? List.of() : discovery.idleTimes(),
        discovery == null ? IdleTimeoutDiscovery.DEFAULT_REPEAT_SECONDS : discovery.repeat());
  }

  /** Ordered, so that the injected env (and its hash) is stable. */
  public Map<String, String> toEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(ENV_POLICY, policy);
    env.put(ENV_TIME, Integer.toString(desired.timeSeconds()));
    env.put(ENV_INTERVAL, Integer.toString(desired.intervalSeconds()));
    env.put(ENV_PROBES, Integer.toString(desired.probes()));
    env.put(ENV_PORT, Integer.toString(port));
    env.put(ENV_PROBE_INTERVAL, Integer.toString(probeIntervalSeconds));
    env.put(ENV_CANARY_IDLE, Integer.toString(canaryIdleSeconds));
    JsonArray json = new JsonArray();
    for (HttpTarget t : targets) {
      JsonObject o = new JsonObject().put("url", t.getUrl());
      if (t.getClientIdleTimeoutSeconds() != null) {
        o.put("clientIdleTimeoutSeconds", t.getClientIdleTimeoutSeconds());
      }
      json.add(o);
    }
    env.put(ENV_TARGETS, json.encode());
    // only with discovery, so that the env (and the injected hash) of every other pod stays as it
    // was
    if (!discoveryIdleSeconds.isEmpty()) {
      env.put(
          ENV_DISCOVERY_IDLE,
          String.join(",", discoveryIdleSeconds.stream().map(String::valueOf).toList()));
      env.put(ENV_DISCOVERY_REPEAT, Integer.toString(discoveryRepeatSeconds));
    }
    return env;
  }

  /**
   * Reads the configuration; a variable that is missing takes the Linux default (time, interval,
   * probes) or the documented default. A malformed value is an error naming the variable.
   */
  public static AgentConfig fromEnv(Map<String, String> env) {
    List<HttpTarget> targets = new ArrayList<>();
    String targetsJson = env.getOrDefault(ENV_TARGETS, "[]").trim();
    JsonArray array;
    try {
      // jackson-core streaming, not Vert.x's codec: that one pulls in jackson-databind (see
      // JsonText)
      array = JsonText.parseArray(targetsJson.isEmpty() ? "[]" : targetsJson);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          ENV_TARGETS + " is not a JSON array of {\"url\": ...}: " + e.getMessage());
    }
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof JsonObject o) || !(o.getValue("url") instanceof String url)) {
        throw new IllegalArgumentException(ENV_TARGETS + "[" + i + "] needs a \"url\" string");
      }
      Object idle = o.getValue("clientIdleTimeoutSeconds");
      targets.add(new HttpTarget(url, idle instanceof Number n ? n.intValue() : null));
    }
    KeepaliveValues desired =
        new KeepaliveValues(
            intVar(env, ENV_TIME).orElse(KeepaliveValues.LINUX_DEFAULTS.timeSeconds()),
            intVar(env, ENV_INTERVAL).orElse(KeepaliveValues.LINUX_DEFAULTS.intervalSeconds()),
            intVar(env, ENV_PROBES).orElse(KeepaliveValues.LINUX_DEFAULTS.probes()));
    return new AgentConfig(
        env.getOrDefault(ENV_POLICY, ""),
        desired,
        intVar(env, ENV_PORT).orElse(DEFAULT_PORT),
        intVar(env, ENV_PROBE_INTERVAL).orElse(AgentSettings.DEFAULT_PROBE_INTERVAL_SECONDS),
        // the policy's own default, so that a standalone agent and an injected one agree; the env
        // carries
        // no path idle timeout, so this is the keepalive-time branch of it
        intVar(env, ENV_CANARY_IDLE)
            .orElseGet(
                () -> new AgentSettings().effectiveCanaryIdleSeconds(null, desired.timeSeconds())),
        List.copyOf(targets),
        intList(env, ENV_DISCOVERY_IDLE).stream().distinct().sorted().toList(),
        intVar(env, ENV_DISCOVERY_REPEAT).orElse(IdleTimeoutDiscovery.DEFAULT_REPEAT_SECONDS));
  }

  /**
   * What would make the agent misbehave (a zero interval would spin), one line each naming the
   * variable; empty when the configuration is usable.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (port < 1 || port > 65535) {
      problems.add(ENV_PORT + "=" + port + " must be a port number 1..65535");
    }
    if (probeIntervalSeconds < 1) {
      problems.add(ENV_PROBE_INTERVAL + "=" + probeIntervalSeconds + " must be at least 1");
    }
    if (canaryIdleSeconds < 1) {
      problems.add(ENV_CANARY_IDLE + "=" + canaryIdleSeconds + " must be at least 1");
    }
    // the policy API's bounds: they bound what discovery holds open
    if (discoveryIdleSeconds.size() > IdleTimeoutDiscovery.MAX_IDLE_TIMES
        || discoveryIdleSeconds.stream()
            .anyMatch(s -> s < 1 || s > IdleTimeoutDiscovery.MAX_IDLE_SECONDS)) {
      problems.add(
          ENV_DISCOVERY_IDLE
              + "="
              + discoveryIdleSeconds
              + " must be at most "
              + IdleTimeoutDiscovery.MAX_IDLE_TIMES
              + " idle times of 1.."
              + IdleTimeoutDiscovery.MAX_IDLE_SECONDS
              + " s");
    }
    if (discoveryRepeatSeconds < 1) {
      problems.add(ENV_DISCOVERY_REPEAT + "=" + discoveryRepeatSeconds + " must be at least 1");
    }
    return problems;
  }

  /** Whether the agent discovers the path's idle timeout. */
  public boolean discovers() {
    return !discoveryIdleSeconds.isEmpty();
  }

  private static List<Integer> intList(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<Integer> values = new ArrayList<>();
    for (String part : value.split(",")) {
      try {
        values.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            name + "=" + value + " is not a comma-separated list of whole numbers");
      }
    }
    return values;
  }

  private static OptionalInt intVar(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value + " is not a whole number");
    }
  }
}
