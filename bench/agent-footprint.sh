#!/usr/bin/env bash
# Footprint of the sidecar agent against a floor: a minimal Vert.x HTTP process (io.keepalive.bench.MinimalVertxHttp,
# test sources) on the same JVM with the same flags, in the same run. Each process runs in its own network namespace
# (like a pod). Measures resident memory (VmRSS after warm-up), idle CPU (per-thread schedstat over IDLE_SECONDS, millicores)
# and the wall time of `apply-sysctls` (median of RUNS, in a fresh netns, JVM start included).
# Needs root, iproute2, curl, nginx (Debian nginx-light). Writes bench/results/agent.md.
#   usage: bench/agent-footprint.sh [--no-build]     env: IDLE_SECONDS (240) RUNS (11) WARMUP (300) READY_SECONDS (30)
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE_SECONDS="${IDLE_SECONDS:-240}"
RUNS="${RUNS:-11}"
WARMUP="${WARMUP:-300}"
READY_SECONDS="${READY_SECONDS:-30}"
# The flags the webhook injects into the sidecar (docs/agent.md). Kept in one place: the benchmark measures these.
SIDECAR_JVM_FLAGS="${SIDECAR_JVM_FLAGS:--XX:+UseSerialGC -Xms8m -Xmx32m -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=48m -XX:MaxDirectMemorySize=16m -XX:-UsePerfData -Dio.netty.allocator.type=unpooled -Dvertx.disableDnsResolver=true}"
JAVA="${JAVA:-java}"
OUT=bench/results/agent.md
TAG="kab-$$"

if [[ "${1:-}" != "--no-build" ]]; then
  ./mvnw -B -ntp -q -DskipTests package >&2
fi
APP_JAR=target/quarkus-app/quarkus-run.jar
LIB=target/quarkus-app/lib/main
# the floor gets only what Vert.x needs: vertx-core, netty, jackson-core; and target/classes, for the agent's own
# AgentMain.vertxOptions() (only that class is loaded from it)
FLOOR_CP="target/test-classes:target/classes:$(ls $LIB/io.vertx.vertx-core-*.jar $LIB/io.netty.netty-*.jar $LIB/com.fasterxml.jackson.core.jackson-core-*.jar | tr '\n' ':')"

# Helpers run in command substitutions (subshells), so cleanup cannot rely on arrays they fill: it finds this run's
# namespaces by name and kills what runs inside them (only processes this script started live there).
cleanup() {
  for n in $(ip netns list | awk -v t="$TAG-" 'index($1, t) == 1 {print $1}'); do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
WORK=$(mktemp -d)
trap cleanup EXIT

netns() { ip netns add "$TAG-$1"; ip -n "$TAG-$1" link set lo up; echo "$TAG-$1"; }

# start NAME NETNS PORT PATH cmd... : starts, waits until PATH answers, warms up with WARMUP requests, echoes PID.
# Callers run it in $(...), where set -e does not apply, so a server that never answers is reported and ends the
# subshell with exit 1 explicitly; the failed assignment then stops the script (set -e). The log is printed here
# because the EXIT trap removes $WORK.
start() {
  local name=$1 ns=$2 port=$3 path=$4; shift 4
  ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  local deadline=$((SECONDS + READY_SECONDS))
  until ip netns exec "$ns" curl -sf -o /dev/null "http://127.0.0.1:$port$path"; do
    local why=""
    kill -0 "$pid" 2>/dev/null || why="it exited"
    [[ -n $why ]] || (( SECONDS < deadline )) || why="no answer within $READY_SECONDS s"
    if [[ -n $why ]]; then
      echo "agent-footprint: $name is not ready on http://127.0.0.1:$port$path ($why); its log $WORK/$name.log ends:" >&2
      tail -n 40 "$WORK/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  for _ in $(seq "$WARMUP"); do
    for p in $path "${WARM_PATHS[@]}"; do ip netns exec "$ns" curl -s -o /dev/null "http://127.0.0.1:$port$p"; done
  done
  echo "$pid"
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Per-thread nanoseconds on CPU (schedstat): utime+stime count 10 ms ticks, too coarse for idle. Deltas are taken per
# thread id, because the JVM retires idle compiler threads and a plain sum would go down.
cpu_snapshot() { for f in /proc/"$1"/task/*/schedstat; do t=${f%/schedstat}; echo "${t##*/} $(cut -d' ' -f1 "$f")"; done; }
cpu_delta_ns() { # SNAPSHOT_FILE PID
  cpu_snapshot "$2" | awk 'NR == FNR {before[$1] = $2; next} {d += $2 - ($1 in before ? before[$1] : 0)} END {printf "%d", d}' "$1" -
}

echo "building namespaces and warming up ($WARMUP requests per endpoint)" >&2
NS_FLOOR=$(netns floor); NS_AGENT=$(netns agent); NS_TARGET=$(netns agent-target)
WARM_PATHS=()
# shellcheck disable=SC2086
FLOOR_PID=$(start floor "$NS_FLOOR" 9902 / "$JAVA" $SIDECAR_JVM_FLAGS -cp "$FLOOR_CP" io.keepalive.bench.MinimalVertxHttp 9902)
WARM_PATHS=(/status /metrics)
# shellcheck disable=SC2086
AGENT_PID=$(start agent "$NS_AGENT" 9901 /healthz env -i PATH="$PATH" KEEPALIVE_POLICY=bench \
  KEEPALIVE_DESIRED_TIME_SECONDS=7200 "$JAVA" $SIDECAR_JVM_FLAGS -jar "$APP_JAR" agent)

# the agent as it usually runs: one HTTP target (nginx in the same netns), default 30 s interval, 60 s canary
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log;
events { worker_connections 64; }
http { access_log off; client_body_temp_path $WORK/nginx/b; proxy_temp_path $WORK/nginx/p; fastcgi_temp_path $WORK/nginx/f;
  uwsgi_temp_path $WORK/nginx/u; scgi_temp_path $WORK/nginx/s; keepalive_timeout 75s;
  server { listen 127.0.0.1:8080; location / { return 200 "ok\n"; } } }
NGINX
ip netns exec "$NS_TARGET" nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >/dev/null 2>&1 &
# shellcheck disable=SC2086
TARGET_PID=$(start agent-target "$NS_TARGET" 9901 /healthz env -i PATH="$PATH" KEEPALIVE_POLICY=bench \
  KEEPALIVE_DESIRED_TIME_SECONDS=7200 KEEPALIVE_CANARY_IDLE_SECONDS=60 \
  'KEEPALIVE_HTTP_TARGETS=[{"url":"http://127.0.0.1:8080/","clientIdleTimeoutSeconds":60}]' \
  "$JAVA" $SIDECAR_JVM_FLAGS -jar "$APP_JAR" agent)

sleep 5
CLK=$(getconf CLK_TCK)
declare -A T0 N0
for p in $FLOOR_PID $AGENT_PID $TARGET_PID; do T0[$p]=$(cpu_ticks "$p"); cpu_snapshot "$p" >"$WORK/cpu-$p"; done
echo "idle for $IDLE_SECONDS s" >&2
sleep "$IDLE_SECONDS"
declare -A RSS MC MCT
for p in $FLOOR_PID $AGENT_PID $TARGET_PID; do
  RSS[$p]=$(rss_kib "$p")
  MC[$p]=$(awk -v d="$(cpu_delta_ns "$WORK/cpu-$p" "$p")" -v s="$IDLE_SECONDS" 'BEGIN {printf "%.2f", d / 1e9 / s * 1000}')
  MCT[$p]=$(awk -v d="$(( $(cpu_ticks "$p") - ${T0[$p]} ))" -v hz="$CLK" -v s="$IDLE_SECONDS" 'BEGIN {printf "%.2f", d / hz / s * 1000}')
done
# cost of one census read in this netns: the kernel walks the node-wide TCP hash for /proc/net/tcp and tcp6
CENSUS_MS=$(ip netns exec "$NS_AGENT" bash -c 't0=$(date +%s%N); for i in $(seq 20); do dd if=/proc/net/tcp bs=1M count=1 status=none; dd if=/proc/net/tcp6 bs=1M count=1 status=none; done >/dev/null; echo $(( ($(date +%s%N) - t0) / 20000000 ))')
EHASH=$(dmesg 2>/dev/null | grep -o 'TCP established hash table entries: [0-9]*' | grep -o '[0-9]*$' || echo unknown)
RATIO=$(awk -v a="${RSS[$AGENT_PID]}" -v f="${RSS[$FLOOR_PID]}" 'BEGIN {printf "%.2f", a / f}')
RATIO_T=$(awk -v a="${RSS[$TARGET_PID]}" -v f="${RSS[$FLOOR_PID]}" 'BEGIN {printf "%.2f", a / f}')

echo "apply-sysctls x $RUNS" >&2
NS_APPLY=$(netns apply)
TIMES=()
for _ in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  ip netns exec "$NS_APPLY" "$JAVA" $SIDECAR_JVM_FLAGS -jar "$APP_JAR" apply-sysctls --time=120 --interval=30 --probes=4 >/dev/null
  TIMES+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
SORTED=($(printf '%s\n' "${TIMES[@]}" | sort -n))
MEDIAN=${SORTED[$(( RUNS / 2 ))]}

MIB() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
cat >"$OUT" <<MD
# Agent footprint

Measured by \`bench/agent-footprint.sh\` on $(date -u +%Y-%m-%dT%H:%MZ).

- Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) memory, kernel $(uname -r)
- JVM: $("$JAVA" -version 2>&1 | sed -n 2p)
- JVM flags (both processes, same run): \`$SIDECAR_JVM_FLAGS\`
- Each process in its own network namespace; $WARMUP requests per endpoint of warm-up; then $IDLE_SECONDS s idle.
- RSS is VmRSS from /proc/PID/status at the end of the idle period; CPU is the per-thread schedstat delta over the idle period (ticks alongside).

| process | RSS | ratio to floor | idle CPU (schedstat, per thread) | idle CPU (utime+stime ticks) |
|---|---|---|---|---|
| floor: \`io.keepalive.bench.MinimalVertxHttp\` (Vert.x HTTP server answering "ok") | $(MIB "${RSS[$FLOOR_PID]}") MiB | 1.00 | ${MC[$FLOOR_PID]} millicores | ${MCT[$FLOOR_PID]} millicores |
| agent, no HTTP target (\`quarkus-run.jar agent\`, observation every 30 s) | $(MIB "${RSS[$AGENT_PID]}") MiB | $RATIO | ${MC[$AGENT_PID]} millicores | ${MCT[$AGENT_PID]} millicores |
| agent, one nginx target, probe every 30 s, 60 s canary | $(MIB "${RSS[$TARGET_PID]}") MiB | $RATIO_T | ${MC[$TARGET_PID]} millicores | ${MCT[$TARGET_PID]} millicores |

One socket census (\`/proc/net/tcp\` + \`tcp6\`, one read() each, as the agent does it) costs about ${CENSUS_MS} ms here, nearly all kernel time: for every network
namespace the kernel walks the node-wide TCP established hash table (${EHASH} buckets on this machine, sized from
the node's memory). That is most of the agent's idle CPU, and it grows with the node's memory.

\`apply-sysctls --time=120 --interval=30 --probes=4\` in a network namespace, JVM start included, $RUNS runs:
median **${MEDIAN} ms** (all: ${TIMES[*]} ms).

Goals: agent RSS at most 1.25x the floor; idle CPU below 1 millicore; apply-sysctls under 1 s.
MD
cat "$OUT"
