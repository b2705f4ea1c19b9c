package io.keepalive.agent;

import java.io.PrintStream;

/** The init container: writes the keepalive sysctls of its own network namespace. (Filled in by the agent work.) */
public final class ApplySysctlsCommand {
    private ApplySysctlsCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        err.println("apply-sysctls: not implemented yet");
        return 1;
    }
}
