package io.keepalive.agent;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigProblemsTest {
    @Test
    void defaultsAreUsable() {
        AgentConfig config = AgentConfig.fromEnv(Map.of());
        assertEquals(List.of(), config.problems());
        assertEquals(AgentConfig.DEFAULT_PORT, config.port());
        assertEquals(KeepaliveValues.LINUX_DEFAULTS,
                new KeepaliveValues(config.desiredTime(), config.desiredInterval(), config.desiredProbes()));
    }

    @Test
    void aZeroIntervalWouldSpinAndIsRefused() {
        AgentConfig config = AgentConfig.fromEnv(Map.of(AgentConfig.ENV_PROBE_INTERVAL, "0",
                AgentConfig.ENV_CANARY_IDLE, "-1", AgentConfig.ENV_PORT, "70000"));
        assertEquals(3, config.problems().size(), config.problems().toString());
        assertTrue(config.problems().get(0).startsWith(AgentConfig.ENV_PORT + "=70000"));
    }

    @Test
    void envRoundTrips() {
        AgentConfig config = AgentConfig.fromEnv(Map.of(AgentConfig.ENV_POLICY, "p", AgentConfig.ENV_TIME, "120",
                AgentConfig.ENV_TARGETS, "[{\"url\":\"http://a\",\"clientIdleTimeoutSeconds\":60},{\"url\":\"http://b\"}]"));
        AgentConfig again = AgentConfig.fromEnv(config.toEnv());
        assertEquals(config.toEnv(), again.toEnv());
        assertEquals(240, again.canaryIdleSeconds(), "twice the keepalive time by default");
    }
}
