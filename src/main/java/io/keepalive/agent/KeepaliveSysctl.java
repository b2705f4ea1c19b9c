package io.keepalive.agent;

import io.keepalive.policy.spec.TcpKeepalive;

/**
 * The three per-network-namespace keepalive sysctls, with the ranges the policy API enforces (taken from
 * {@link TcpKeepalive}, so that apply-sysctls accepts exactly what a policy can ask for). The ranges are the
 * socket-option limits of include/net/tcp.h (the sysctls themselves accept more): a value outside them cannot be
 * expressed per socket and usually means a unit mistake.
 */
public enum KeepaliveSysctl {
    TIME("tcp_keepalive_time", "--time", TcpKeepalive.MIN_VALUE, TcpKeepalive.MAX_SECONDS),
    INTERVAL("tcp_keepalive_intvl", "--interval", TcpKeepalive.MIN_VALUE, TcpKeepalive.MAX_SECONDS),
    PROBES("tcp_keepalive_probes", "--probes", TcpKeepalive.MIN_VALUE, TcpKeepalive.MAX_PROBES);

    private final String fileName;
    private final String option;
    private final int min;
    private final int max;

    KeepaliveSysctl(String fileName, String option, int min, int max) {
        this.fileName = fileName;
        this.option = option;
        this.min = min;
        this.max = max;
    }

    /** File name under /proc/sys/net/ipv4, also the name used in messages (tcp_keepalive_time). */
    public String fileName() { return fileName; }

    /** Command-line option of apply-sysctls. */
    public String option() { return option; }

    public boolean accepts(long value) { return value >= min && value <= max; }

    public String range() { return min + ".." + max; }
}
