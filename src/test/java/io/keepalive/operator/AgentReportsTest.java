package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.keepalive.policy.PodMarks;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AgentReportsTest {

    private static Pod pod(Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("web-1").withAnnotations(annotations).endMetadata().build();
    }

    @Test
    void theAgentPortComesFromThePodNotFromTodaysSettings() {
        assertEquals(9901, AgentReports.agentPort(pod(Map.of(PodMarks.AGENT_PORT_ANNOTATION, "9901"))));
        assertEquals(19901, AgentReports.agentPort(pod(Map.of(PodMarks.AGENT_PORT_ANNOTATION, " 19901 "))));
    }

    @Test
    void aPodWithoutAnAgentOrWithAGarbledPortHasNoAgentToAsk() {
        assertEquals(0, AgentReports.agentPort(pod(null)));
        assertEquals(0, AgentReports.agentPort(pod(Map.of(PodMarks.POLICY_ANNOTATION, "web"))));
        assertEquals(0, AgentReports.agentPort(pod(Map.of(PodMarks.AGENT_PORT_ANNOTATION, "http"))));
        assertEquals(0, AgentReports.agentPort(pod(Map.of(PodMarks.AGENT_PORT_ANNOTATION, "0"))));
        assertEquals(0, AgentReports.agentPort(pod(Map.of(PodMarks.AGENT_PORT_ANNOTATION, "65536"))));
    }
}
