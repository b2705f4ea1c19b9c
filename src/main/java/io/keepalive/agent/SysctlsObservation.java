package io.keepalive.agent;

import java.util.ArrayList;
import java.util.List;

/** The keepalive sysctls in force in the pod's network namespace next to the desired ones. */
record SysctlsObservation(KeepaliveValues observed, String error, KeepaliveValues desired) {

    static SysctlsObservation read(KeepaliveSysctls sysctls, KeepaliveValues desired) {
        try {
            return new SysctlsObservation(sysctls.read(), null, desired);
        } catch (KeepaliveSysctls.SysctlException e) {
            return new SysctlsObservation(null, e.getMessage(), desired);
        }
    }

    /** Pure: one line per value that differs, "tcp_keepalive_time: observed 7200, desired 120". */
    List<String> drift() {
        List<String> drift = new ArrayList<>();
        if (observed == null) {
            return drift;
        }
        for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
            if (observed.get(s) != desired.get(s)) {
                drift.add(s.fileName() + ": observed " + observed.get(s) + ", desired " + desired.get(s));
            }
        }
        return drift;
    }

    boolean inSync() {
        return observed != null && drift().isEmpty();
    }
}
