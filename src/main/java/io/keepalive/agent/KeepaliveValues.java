package io.keepalive.agent;

import io.keepalive.policy.spec.TcpKeepalive;

import java.util.Map;

/** The three keepalive values of one network namespace (observed or desired). */
public record KeepaliveValues(int timeSeconds, int intervalSeconds, int probes) {

    public static final KeepaliveValues LINUX_DEFAULTS = new KeepaliveValues(TcpKeepalive.LINUX_DEFAULT_TIME,
            TcpKeepalive.LINUX_DEFAULT_INTERVAL, TcpKeepalive.LINUX_DEFAULT_PROBES);

    public int get(KeepaliveSysctl sysctl) {
        return switch (sysctl) {
            case TIME -> timeSeconds;
            case INTERVAL -> intervalSeconds;
            case PROBES -> probes;
        };
    }

    static KeepaliveValues of(Map<KeepaliveSysctl, Integer> values) {
        return new KeepaliveValues(values.get(KeepaliveSysctl.TIME), values.get(KeepaliveSysctl.INTERVAL),
                values.get(KeepaliveSysctl.PROBES));
    }

    /** One line, the same shape apply-sysctls prints and the agent logs. */
    public String describe() {
        return "tcp_keepalive_time=" + timeSeconds + " tcp_keepalive_intvl=" + intervalSeconds
                + " tcp_keepalive_probes=" + probes;
    }
}
