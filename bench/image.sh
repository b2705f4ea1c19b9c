#!/usr/bin/env bash
# The image: its size (tarball, per layer compressed and unpacked, the base image) and the agent's start time from
# it, next to its floor measured in the same run: the same agent from target/quarkus-app on the host's JDK.
# Start time is from exec to /healthz answering, each start in a fresh network namespace (like a pod), image and
# floor interleaved so that the machine's load falls on both alike; median of RUNS. The image runs as the webhook
# injects it (hack/image-rootfs.sh: unpacked layers, read-only root, /tmp emptyDir, uid 65532, JAVA_TOOL_OPTIONS).
# Also the wall time of apply-sysctls (the init container) both ways. Needs root. Writes bench/results/image.md.
#   usage: bench/image.sh [--no-build]      env: RUNS (11)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-11}"
OUT=bench/results/image.md
TAG="kaimgb-$$"
PORT=9901
IMAGE=target/keepalive-operator-image.tar
BASE="$(bash hack/base-image.sh)"

if [[ "${1:-}" != "--no-build" ]]; then
  ./mvnw -B -ntp -q -DskipTests package >&2
fi
# The JVM flags the webhook injects (OperatorSettings' default agent.jvmOptions), read from their one source.
settings="$(grep -rl 'String jvmOptions()' src/main/java)"
JVM_FLAGS="$(awk '/@WithDefault/ {text = ""} {text = text $0} /String jvmOptions\(\)/ {print text; exit}' "$settings" \
  | grep -o '"[^"]*"' | tr -d '"\n')"
[[ "$JVM_FLAGS" == -XX:* ]] || { echo "image bench: cannot read the agent's JVM flags from $settings" >&2; exit 1; }

WORK="$(mktemp -d)"
cleanup() {
  for n in $(ip netns list | awk -v t="$TAG-" 'index($1, t) == 1 {print $1}'); do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "image bench: unpacking $IMAGE" >&2
bash hack/image-rootfs.sh unpack "$IMAGE" "$WORK/rootfs"
mkdir -m 0777 "$WORK/tmp"

# The image's config: Env and Entrypoint, as the runtime would use them.
mapfile -t IMAGE_ENV < <(python3 -c '
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))[0]
for e in json.load(t.extractfile(m["Config"]))["config"]["Env"]: print(e)' "$IMAGE")
mapfile -t ENTRYPOINT < <(python3 -c '
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))[0]
for a in json.load(t.extractfile(m["Config"]))["config"]["Entrypoint"]: print(a)' "$IMAGE")
# the floor: the same command line with the host's java and the build's fast-jar
FLOOR=("${ENTRYPOINT[@]}")
FLOOR[0]="$(command -v java)"
for i in "${!FLOOR[@]}"; do [[ "${FLOOR[$i]}" == /deployments/quarkus-run.jar ]] && FLOOR[$i]="$PWD/target/quarkus-app/quarkus-run.jar"; done

AGENT_ENV=(KEEPALIVE_POLICY=bench KEEPALIVE_DESIRED_TIME_SECONDS=300 KEEPALIVE_DESIRED_INTERVAL_SECONDS=15
  KEEPALIVE_DESIRED_PROBES=4 "KEEPALIVE_AGENT_PORT=$PORT" "JAVA_TOOL_OPTIONS=$JVM_FLAGS")
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start_ms WHICH NS MODE...: runs the agent (image or floor) in NS, prints ms from exec to /healthz answering and
# the CPU time (user + system, ms) the JVM used until then: less sensitive to the machine's load than wall time.
# env, ip netns exec, the script, unshare, sh, chroot and setpriv all exec, so the job's PID ends up as the JVM's.
start_ms() {
  local which=$1 ns=$2; shift 2
  local t0 pid
  t0=$(now_ms)
  if [[ $which == image ]]; then
    env -i "${IMAGE_ENV[@]}" "${AGENT_ENV[@]}" ip netns exec "$ns" \
      bash hack/image-rootfs.sh run "$WORK/rootfs" 65532:65532 "$WORK/tmp" "${ENTRYPOINT[@]}" "$@" >"$WORK/$ns.log" 2>&1 &
  else
    env -i PATH="$PATH" "${AGENT_ENV[@]}" ip netns exec "$ns" setpriv --reuid=65532 --regid=65532 --clear-groups \
      "${FLOOR[@]}" "$@" >"$WORK/$ns.log" 2>&1 &
  fi
  pid=$!
  until ip netns exec "$ns" curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz"; do
    kill -0 "$pid" 2>/dev/null || { echo "image bench: $which agent exited:" >&2; cat "$WORK/$ns.log" >&2; exit 1; }
    (( $(now_ms) - t0 < 60000 )) || { echo "image bench: $which agent not ready in 60 s" >&2; exit 1; }
    sleep 0.01
  done
  local wall=$(( $(now_ms) - t0 ))
  echo "$wall $(awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$pid/stat")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

# sysctls_ms WHICH NS: wall time of apply-sysctls as root (the init container), JVM start included
sysctls_ms() {
  local which=$1 ns=$2 t0
  t0=$(now_ms)
  if [[ $which == image ]]; then
    env -i "${IMAGE_ENV[@]}" "JAVA_TOOL_OPTIONS=$JVM_FLAGS" ip netns exec "$ns" bash hack/image-rootfs.sh run \
      "$WORK/rootfs" 0:0 "$WORK/tmp" "${ENTRYPOINT[@]}" apply-sysctls --time=300 --interval=15 --probes=4 >/dev/null
  else
    env -i PATH="$PATH" "JAVA_TOOL_OPTIONS=$JVM_FLAGS" ip netns exec "$ns" "${FLOOR[@]}" apply-sysctls --time=300 \
      --interval=15 --probes=4 >/dev/null
  fi
  echo $(( $(now_ms) - t0 ))
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A results
for run in $(seq "$RUNS"); do
  for which in image floor; do
    ns="$TAG-$which-$run"
    ip netns add "$ns"; ip -n "$ns" link set lo up
    read -r wall cpu < <(start_ms "$which" "$ns" agent)
    [[ -n "$cpu" ]] || { echo "image bench: the $which agent did not start" >&2; exit 1; }
    results[start-$which]+="$wall "
    results[cpu-$which]+="$cpu "
    results[sysctls-$which]+="$(sysctls_ms "$which" "$ns") "
    ip netns del "$ns"
  done
  echo "image bench: run $run/$RUNS: start image/floor ${results[start-image]##* } / ${results[start-floor]##* }" >&2
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
row() { local v=${results[$1]}; echo "$(tr ' ' '\n' <<<"$v" | sed '/^$/d' | median) ms | $v"; }

# sizes: the tarball, each layer compressed (as stored and pulled) and unpacked (as on the node's disk)
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
layers="$(python3 -c '
import json, sys, tarfile, gzip
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))[0]
c = json.load(t.extractfile(m["Config"]))
history = [h for h in c["history"] if not h.get("empty_layer")]
for name, h in zip(m["Layers"], history):
    blob = t.extractfile(name).read()
    raw = gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob
    print(len(blob), len(raw), (h.get("comment") or h.get("created_by", ""))[:60])' "$IMAGE")"
total_c=0 total_u=0 layer_rows=""
while read -r c u what; do
  total_c=$((total_c + c)); total_u=$((total_u + u))
  layer_rows+="| $what | $(mib "$c") | $(mib "$u") |"$'\n'
done <<<"$layers"
base_c="$(head -n1 <<<"$layers" | cut -d' ' -f1)"

# notes written by hand under "## Notes" survive a rerun
notes="$(sed -n '/^## Notes/,$p' "$OUT" 2>/dev/null || true)"
{
  echo "# Image"
  echo
  echo "Measured by \`bench/image.sh\` on $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "- Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) memory, kernel $(uname -r)"
  echo "- Load average (1/5/15 min): $load_before before, $load_after after"
  echo "- Image: \`$(python3 -c 'import json,sys,tarfile; print(json.load(tarfile.open(sys.argv[1]).extractfile("manifest.json"))[0]["RepoTags"][0])' "$IMAGE")\`, built by \`./mvnw package\` (Quarkus Jib) on \`hack/base-image.sh\`'s base"
  echo "- Host JDK of the floor: $(java -version 2>&1 | sed -n 2p)"
  echo "- Agent JVM flags (JAVA_TOOL_OPTIONS, as injected): \`$JVM_FLAGS\`"
  echo
  echo "## Size"
  echo
  echo "| layer | compressed | unpacked |"
  echo "|---|---|---|"
  printf '%s' "$layer_rows"
  echo "| **image** | **$(mib "$total_c")** | **$(mib "$total_u")** |"
  echo
  echo "The tarball \`$IMAGE\` is $(mib "$(stat -c %s "$IMAGE")") (what \`ctr images import\` reads). The base image"
  echo "(\`$BASE\`, uncompressed docker-archive) is $(mib "$(stat -c %s "$BASE")"); its layer is the first row, $(mib "$base_c") compressed."
  echo
  echo "## Agent start: exec to /healthz answering ($RUNS runs each, interleaved)"
  echo
  echo "| agent | median | all runs |"
  echo "|---|---|---|"
  echo "| from the image (unpacked rootfs, read-only, uid 65532, jlink'd runtime with CDS) | $(row start-image) |"
  echo "| floor: \`java -jar target/quarkus-app/quarkus-run.jar agent\` on the host JDK, uid 65532 | $(row start-floor) |"
  echo
  echo "CPU time (user + system) the agent's JVM used until /healthz answered (10 ms ticks; less sensitive to load):"
  echo
  echo "| agent | median | all runs |"
  echo "|---|---|---|"
  echo "| from the image | $(row cpu-image) |"
  echo "| floor: host JDK, fast-jar | $(row cpu-floor) |"
  echo
  echo "## apply-sysctls (the init container): wall time, JVM start included"
  echo
  echo "| apply-sysctls | median | all runs |"
  echo "|---|---|---|"
  echo "| from the image (root, as the privileged init container) | $(row sysctls-image) |"
  echo "| floor: host JDK, fast-jar | $(row sysctls-floor) |"
  echo
  echo "Each start runs in a fresh network namespace; /healthz is polled with curl every 10 ms (resolution about"
  echo "15-20 ms: each poll is a new curl process). Exec includes \`ip netns exec\`, and for the image the mount"
  echo "namespace and chroot of \`hack/image-rootfs.sh\` (a few ms), as a runtime's own setup would."
  if [[ -n "$notes" ]]; then
    echo
    echo "$notes"
  fi
} > "$OUT"
cat "$OUT"
