package io.keepalive.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * What one pod's sidecar agent answered on /status, reduced to what the policy's status summarises. The
 * agent's full report stays available on the pod (port-forward to it) for the details.
 *
 * @param pod         pod name
 * @param inSync      the three sysctls in force equal the desired ones
 * @param drift       one line per sysctl that differs
 * @param established established TCP connections in the pod's netns
 * @param keepaliveOff established connections whose owner never enabled SO_KEEPALIVE
 * @param findings    the agent's findings, most important first
 */
public record AgentReport(String pod, boolean inSync, List<String> drift, int established, int keepaliveOff,
                          List<String> findings) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads an agent's /status body; fields the operator does not know are ignored, so agents can grow. */
    public static AgentReport parse(String pod, String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("agent of pod " + pod + " sent a /status that is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("agent of pod " + pod + " sent a /status that is not a JSON object");
        }
        JsonNode sysctls = root.path("sysctls");
        JsonNode census = root.path("census");
        return new AgentReport(pod,
                sysctls.path("inSync").asBoolean(false),
                strings(sysctls.path("drift")),
                census.path("established").asInt(0),
                census.path("keepaliveOff").asInt(0),
                strings(root.path("findings")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
