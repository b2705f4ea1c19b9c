package io.keepalive.agent;

import io.keepalive.policy.spec.TcpKeepalive;

import java.util.Map;
import java.util.StringJoiner;

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
        StringJoiner line = new StringJoiner(" ");
        for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
            line.add(s.fileName() + "=" + get(s));
        }
        return line.toString();
    }
}
