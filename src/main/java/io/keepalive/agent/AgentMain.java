package io.keepalive.agent;

/** The sidecar: observes sysctls, sockets and HTTP targets and serves /status. (Filled in by the agent work.) */
public final class AgentMain {
    private AgentMain() {
    }

    public static void run(String[] args) {
        System.err.println("agent: not implemented yet");
        System.exit(1);
    }
}
