#!/usr/bin/env bash
# Side by side with Kyverno: pod creation through one real kube-apiserver with Kyverno's admission controller and
# this operator registered at once, in five interleaved arms (Kyverno patching, Kyverno called without a patch,
# the operator patching, the operator called without a patch, no webhook), at 5 pods/s and back to back, from the
# operator's first minute; both servers' memory under that load; the status work pod creation causes in the
# operator. Writes bench/results/kyverno.md (io.keepalive.bench.KyvernoComparison). Needs root (memory cgroups,
# the image's filesystem run as its pod runs it).
#
# Kyverno's admission controller is built from its Go module through the Go module proxy into the tools cache
# (never into the repository), through a wrapper module that repeats the replace directives of Kyverno's go.mod.
#   usage: bench/kyverno.sh [--no-build]
#   env: KYVERNO_VERSION (1.13.4); PACED_ROUNDS (6) blocks of PACED_BLOCK (10) pods per arm at RATE (5) per second;
#        BACK_TO_BACK (200) pods per arm; OPERATOR_JAVA_OPTIONS: the operator's JAVA_TOOL_OPTIONS (unset: the
#        chart's jvmOptions; empty: none, the image's entrypoint alone); OPERATOR_LIMIT (the chart's memory limit);
#        OUT (bench/results/kyverno.md)
set -euo pipefail
cd "$(dirname "$0")/.."
KYVERNO_VERSION="${KYVERNO_VERSION:-1.13.4}"
OUT="${OUT:-bench/results/kyverno.md}"
IMAGE=target/keepalive-operator-image.tar
VALUES=helm/keepalive-operator/values.yaml
KYVERNO_LIMIT=384Mi   # the admission controller's memory limit in Kyverno's chart (admissionController.container)

log() { echo "kyverno bench: $*" >&2; }
[[ $EUID -eq 0 ]] || { log "needs root (memory cgroups, chroot into the image's filesystem)"; exit 1; }

TOOLS_DIR="$(bash hack/ensure-tools.sh)"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

# --- Kyverno, built once per version
KYVERNO="$TOOLS_DIR/bin/kyverno-$KYVERNO_VERSION"
mod_dir="$(cd /tmp && go mod download -json "github.com/kyverno/kyverno@v$KYVERNO_VERSION" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Dir"] + "\n" + d["GoMod"])')"
KYVERNO_MODULE="$(sed -n 1p <<<"$mod_dir")"
KYVERNO_GOMOD="$(sed -n 2p <<<"$mod_dir")"
if [[ ! -x "$KYVERNO" ]]; then
  work="$TOOLS_DIR/build/kyverno-$KYVERNO_VERSION"
  mkdir -p "$work"
  {
    echo "module keepalive.io/kyverno-bench"
    echo
    echo "go $(awk '$1 == "go" {print $2; exit}' "$KYVERNO_GOMOD")"
    echo
    echo "require github.com/kyverno/kyverno v$KYVERNO_VERSION"
    echo
    # a dependent module does not see Kyverno's replace directives (k8s.io/pod-security-admission): repeat them
    grep -E '^replace ' "$KYVERNO_GOMOD" || true
    sed -n '/^replace ($/,/^)$/p' "$KYVERNO_GOMOD"
  } > "$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/kyverno/kyverno/cmd/kyverno"\n' > "$work/tools.go"
  log "building Kyverno $KYVERNO_VERSION from its Go module (about 11 minutes on 2 busy cores)"
  (cd "$work" && go mod tidy -e >&2 && go build -trimpath -ldflags '-s -w' -o "$KYVERNO.tmp" github.com/kyverno/kyverno/cmd/kyverno)
  mv "$KYVERNO.tmp" "$KYVERNO"
fi
GO_VERSION="$(go version "$KYVERNO" | awk '{print $2}')"

# --- the operator's image and the harness
if [[ "${1:-}" != "--no-build" ]]; then
  ./mvnw -B -ntp -q -DskipTests package >&2
fi
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null

WORK="$(mktemp -d)"
chmod 755 "$WORK"
CGROUPS=()
cleanup() {
  local cg pid
  for cg in "${CGROUPS[@]}"; do
    # only processes this run started live there (the harness stops them; this is for a harness that died)
    for pid in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    sleep 0.5
    rmdir "$cg" 2>/dev/null || log "could not remove cgroup $cg"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A memory cgroup per server with its chart's limit (cgroup v2, or the v1 memory hierarchy).
make_cgroup() {
  local name="$1" bytes="$2" cg
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
    cg="/sys/fs/cgroup/keepalive-bench-$name-$$"
    mkdir "$cg"
    echo "$bytes" > "$cg/memory.max"
  else
    cg="/sys/fs/cgroup/memory/keepalive-bench-$name-$$"
    mkdir "$cg"
    echo "$bytes" > "$cg/memory.limit_in_bytes"
  fi
  CGROUPS+=("$cg")
  echo "$cg"
}
mebibytes() { [[ "$1" =~ ^([0-9]+)Mi$ ]] || { log "not a Mi quantity: $1"; exit 1; }; echo $(( BASH_REMATCH[1] * 1024 * 1024 )); }
OPERATOR_LIMIT="${OPERATOR_LIMIT:-$(awk '/^resources:/ {r = 1} r && /limits:/ {l = 1} r && l && /memory:/ {print $2; exit}' "$VALUES")}"
OPERATOR_CG="$(make_cgroup operator "$(mebibytes "$OPERATOR_LIMIT")")"
KYVERNO_CG="$(make_cgroup kyverno "$(mebibytes "$KYVERNO_LIMIT")")"
FLOOR_CG="$(make_cgroup floor "$(mebibytes "$OPERATOR_LIMIT")")"
if [[ -v OPERATOR_JAVA_OPTIONS ]]; then
  JVM_FROM="OPERATOR_JAVA_OPTIONS"
else
  OPERATOR_JAVA_OPTIONS="$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["jvmOptions"])' "$VALUES")"
  JVM_FROM="the chart's jvmOptions, as its Deployment sets them"
fi

log "unpacking $IMAGE"
bash hack/image-rootfs.sh unpack "$IMAGE" "$WORK/rootfs"
# the floor's one class, beside the image's own jars
mkdir -p "$WORK/rootfs/floor/io/keepalive/bench"
cp target/test-classes/io/keepalive/bench/MinimalVertxHttp.class "$WORK/rootfs/floor/io/keepalive/bench/"
# the image's Env and Entrypoint, one per line, as its pod would get them
tar -xOf "$IMAGE" "$(tar -xOf "$IMAGE" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Config"])')" \
  > "$WORK/image-config.json"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print("\n".join(c.get("Env") or []))' \
  "$WORK/image-config.json" > "$WORK/image-env"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print("\n".join(c["Entrypoint"] + (c.get("Cmd") or [])))' \
  "$WORK/image-config.json" > "$WORK/image-entrypoint"

# notes written by hand under "## Notes" survive a rerun
NOTES="$(sed -n '/^## Notes/,$p' "$OUT" 2>/dev/null || true)"
log "load before: $(cat /proc/loadavg)"
java -Xmx1g -Dtests.tools.dir="$TOOLS_DIR" \
  -Dbench.work="$WORK" -Dbench.rootfs="$WORK/rootfs" \
  -Dbench.image.env="$WORK/image-env" -Dbench.image.entrypoint="$WORK/image-entrypoint" \
  -Dbench.kyverno.binary="$KYVERNO" -Dbench.kyverno.module="$KYVERNO_MODULE" \
  -Dbench.kyverno.version="$KYVERNO_VERSION" -Dbench.kyverno.go="$GO_VERSION" \
  -Dbench.operator.cgroup="$OPERATOR_CG" -Dbench.kyverno.cgroup="$KYVERNO_CG" -Dbench.floor.cgroup="$FLOOR_CG" \
  -Dbench.paced.rounds="${PACED_ROUNDS:-6}" -Dbench.paced.block="${PACED_BLOCK:-10}" -Dbench.rate="${RATE:-5}" \
  -Dbench.back-to-back="${BACK_TO_BACK:-200}" -Dbench.operator.java-tool-options="$OPERATOR_JAVA_OPTIONS" \
  -Dbench.operator.java-tool-options.from="$JVM_FROM" \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.keepalive.bench.KyvernoComparison "$OUT"
if [[ -n "$NOTES" ]]; then
  printf '\n%s\n' "$NOTES" >> "$OUT"
fi
