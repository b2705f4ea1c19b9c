#!/usr/bin/env bash
# On the real node (hack/cluster-up.sh), with the chart installed by helm with its default values:
#   1. pod create to Ready, the same busybox pod in four arms, round-robin, one at a time
#      (io.keepalive.bench.PodStartupBenchmark): no policy; no policy but a trivial native sidecar of its own (the
#      floor of any native sidecar on this kubelet); a policy with the agent off (sysctls only); a policy with
#      the agent (sysctls + agent sidecar). Median and p90 per arm;
#   2. the agent's memory inside a real pod, cgroup (usage, working set, rss) and the process's VmRSS, next to
#      its floor in the same run: io.keepalive.bench.MinimalVertxHttp (bench/agent-footprint.sh's floor) in a pod
#      of the same image with the same JVM flags (the agent's JAVA_TOOL_OPTIONS, read from the injected pod).
# Writes bench/results/cluster.md. Brings the cluster down at the end (KEEP_RUNNING=1 leaves it up).
#   usage: bench/cluster.sh [--no-build]     env: ROUNDS (15) SETTLE_SECONDS (120)
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/cluster-env.sh
use_cluster bench/cluster.sh "$@"
ROUNDS="${ROUNDS:-15}"
SETTLE_SECONDS="${SETTLE_SECONDS:-120}"
OUT=bench/results/cluster.md
K() { "$KUBECTL" "$@"; }
log() { echo "bench/cluster: $*" >&2; }

if [[ "${1:-}" != "--no-build" ]]; then
  ./mvnw -B -ntp -q -DskipTests package >&2
fi
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
[[ "${KEEP_RUNNING:-}" == 1 ]] || trap 'bash hack/cluster-down.sh' EXIT
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

bash hack/cluster-up.sh
bash hack/cluster-import.sh target/keepalive-operator-image.tar "$IMAGES_DIR/busybox.tar"
"$HELM" upgrade --install keepalive-operator helm/keepalive-operator -n keepalive-system --create-namespace \
  --wait --timeout 5m >&2

ns() { # name pod-security-level
  K create namespace "$1" --dry-run=client -o yaml | K apply -f - >/dev/null
  K label namespace "$1" --overwrite "pod-security.kubernetes.io/enforce=$2" >/dev/null
}
ns bench-injected restricted
ns bench-sysctls restricted
ns bench-plain restricted
ns bench-floor privileged
for ns in bench-injected bench-sysctls; do
  agent=false; [[ $ns == bench-injected ]] && agent=true
  K apply -f - >/dev/null <<EOF
apiVersion: keepalive.io/v1alpha1
kind: KeepalivePolicy
metadata: {name: bench, namespace: $ns}
spec:
  selector: {matchLabels: {app: bench}}
  tcp: {timeSeconds: 300, intervalSeconds: 15, probes: 4}
  agent: {enabled: $agent}
EOF
  for _ in $(seq 60); do [[ -n "$(K -n "$ns" get kap bench -o jsonpath='{.status.observedGeneration}')" ]] && break; sleep 1; done
done

log "pod create to Ready, $ROUNDS rounds per arm"
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
java -XX:+UseSerialGC -cp "$CP" io.keepalive.bench.PodStartupBenchmark "$ROUNDS" target/pod-startup.txt \
  plain=bench-plain sidecar=bench-plain+sidecar sysctls=bench-sysctls injected=bench-injected
stats() { # arm -> "median p90 min max"
  awk -v arm="$1" '$1 == arm {print $2}' target/pod-startup.txt | sort -n | awk '{v[NR] = $1}
    END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; p = v[int(0.9 * NR + 0.999)];
         printf "%d %d %d %d", m, p, v[1], v[NR]}'
}
read -r PM PP PMIN PMAX <<<"$(stats plain)"
read -r SM SP SMIN SMAX <<<"$(stats sidecar)"
read -r YM YP YMIN YMAX <<<"$(stats sysctls)"
read -r IM IP IMIN IMAX <<<"$(stats injected)"

log "agent memory in a pod vs the floor in a pod of the same image"
K -n bench-injected run mem-agent --image=localhost/keepalive-cluster/busybox:1 --image-pull-policy=IfNotPresent \
  --labels=app=bench --restart=Never --overrides='{"spec":{"automountServiceAccountToken":false,"securityContext":{"runAsNonRoot":true,"runAsUser":65534,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"app","image":"localhost/keepalive-cluster/busybox:1","imagePullPolicy":"IfNotPresent","command":["sleep","3600"],"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}]}}' >/dev/null
K -n bench-injected wait --for=condition=Ready pod/mem-agent --timeout=180s >/dev/null
IMAGE=$(K -n bench-injected get pod mem-agent -o jsonpath='{.spec.initContainers[?(@.name=="keepalive-agent")].image}')
JVM_FLAGS=$(K -n bench-injected get pod mem-agent -o jsonpath='{.spec.initContainers[?(@.name=="keepalive-agent")].env[?(@.name=="JAVA_TOOL_OPTIONS")].value}')
AGENT_LIMIT=$(K -n bench-injected get pod mem-agent -o jsonpath='{.spec.initContainers[?(@.name=="keepalive-agent")].resources.limits.memory}')
K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: mem-floor, namespace: bench-floor}
spec:
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 0
  securityContext: {runAsNonRoot: true, runAsUser: 65532}
  containers:
    - name: floor
      image: $IMAGE
      imagePullPolicy: IfNotPresent
      command: [java, -cp, "/bench/test-classes:/bench/classes:/deployments/lib/main/*", io.keepalive.bench.MinimalVertxHttp, "9902"]
      env: [{name: JAVA_TOOL_OPTIONS, value: "$JVM_FLAGS"}]
      readinessProbe: {httpGet: {path: /, port: 9902}, periodSeconds: 1}
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
      volumeMounts:
        - {name: test-classes, mountPath: /bench/test-classes, readOnly: true}
        - {name: classes, mountPath: /bench/classes, readOnly: true}
        - {name: tmp, mountPath: /tmp}
  volumes:
    - {name: test-classes, hostPath: {path: $PWD/target/test-classes}}
    - {name: classes, hostPath: {path: $PWD/target/classes}}
    - {name: tmp, emptyDir: {}}
EOF
K -n bench-floor wait --for=condition=Ready pod/mem-floor --timeout=180s >/dev/null
log "settling $SETTLE_SECONDS s (the agent observes every 30 s)"
sleep "$SETTLE_SECONDS"

# container id -> host PID (containerd) -> VmRSS and the memory cgroup the kubelet made for the container
memory() { # namespace pod container (a native sidecar is among the init containers)
  local id pid cg
  id=$(K -n "$1" get pod "$2" -o jsonpath="{.status.initContainerStatuses[?(@.name==\"$3\")].containerID}{.status.containerStatuses[?(@.name==\"$3\")].containerID}")
  id=${id#containerd://}
  pid=$($CTR tasks ls | awk -v id="$id" '$1 == id {print $2}')
  [[ -n "$pid" ]] || { echo "bench/cluster: no process for container $3 of $1/$2 (id '$id')" >&2; exit 1; }
  cg=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
  local usage rss inactive vmrss
  usage=$(cat "$cg/memory.usage_in_bytes")
  rss=$(awk '$1 == "total_rss" {print $2}' "$cg/memory.stat")
  inactive=$(awk '$1 == "total_inactive_file" {print $2}' "$cg/memory.stat")
  vmrss=$(awk '/^VmRSS/ {print $2 * 1024}' "/proc/$pid/status")
  awk -v u="$usage" -v i="$inactive" -v r="$rss" -v v="$vmrss" \
    'BEGIN {printf "%.1f %.1f %.1f %.1f", u / 1048576, (u - i) / 1048576, r / 1048576, v / 1048576}'
}
read -r AU AW AR AV <<<"$(memory bench-injected mem-agent keepalive-agent)"
read -r FU FW FR FV <<<"$(memory bench-floor mem-floor floor)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
# notes written by hand under "## Notes" survive a rerun
NOTES="$(sed -n '/^## Notes/,$p' "$OUT" 2>/dev/null || true)"

cat > "$OUT" <<MD
# On the real node: pod start and the agent's memory in a pod

Measured by \`bench/cluster.sh\` on $(date -u +%Y-%m-%dT%H:%MZ): $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),
$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r); kubelet $("$K8S_BIN/kubelet" --version | cut -d' ' -f2),
containerd $(containerd --version | cut -d' ' -f3), runc $(runc --version | sed -n 's/^runc version //p'); load average $LOAD_BEFORE before, $LOAD_AFTER after.
The chart installed with its default values; image \`$IMAGE\`.

## Pod create to Ready

The same busybox pod (Pod Security restricted) created $ROUNDS times in each arm, round-robin, one at a time;
from the create request to the watch event that shows it Ready.

| arm | median | p90 | min | max |
|---|---|---|---|---|
| not injected (no policy selects the namespace) | $PM ms | $PP ms | $PMIN ms | $PMAX ms |
| not injected, with a busybox native sidecar of its own (floor of any native sidecar) | $SM ms | $SP ms | $SMIN ms | $SMAX ms |
| injected, agent off: the sysctls only | $YM ms | $YP ms | $YMIN ms | $YMAX ms |
| injected: sysctls + agent sidecar (native) | $IM ms | $IP ms | $IMIN ms | $IMAX ms |

| difference of medians | |
|---|---|
| the sysctls (agent off) vs not injected | $((YM - PM)) ms |
| any native sidecar (busybox) vs not injected | $((SM - PM)) ms |
| **the injection with the agent vs not injected** | **$((IM - PM)) ms** |
| the agent vs a busybox native sidecar | $((IM - SM)) ms |

Goal: the agent adds less than 1 s.

## The agent's memory in a pod

After $SETTLE_SECONDS s idle in the pod, read from the host: the container's memory cgroup (usage; working set =
usage - inactive file, what the kubelet evicts on; rss = anonymous memory) and the Java process's VmRSS. The floor
is \`io.keepalive.bench.MinimalVertxHttp\` (the floor of bench/results/agent.md) in a pod of the same image with the
same JVM flags: \`$JVM_FLAGS\`. The agent's memory limit is $AGENT_LIMIT.

| container | cgroup usage | working set | cgroup rss | VmRSS |
|---|---|---|---|---|
| floor (\`MinimalVertxHttp\`) | $FU MiB | $FW MiB | $FR MiB | $FV MiB |
| agent (\`keepalive-agent\`, no HTTP target) | $AU MiB | $AW MiB | $AR MiB | $AV MiB |
| ratio to floor | $(ratio "$AU" "$FU") | $(ratio "$AW" "$FW") | $(ratio "$AR" "$FR") | $(ratio "$AV" "$FV") |
MD
[[ -z "$NOTES" ]] || printf '\n%s\n' "$NOTES" >> "$OUT"
cat "$OUT"
