#!/usr/bin/env bash
# Builds the real Kubernetes binaries and helm from their Go modules, once, into a cache outside the
# repository: etcd, kube-apiserver and kubectl (the apiserver tier and the packaging tier), and the node's
# kubelet, kube-controller-manager, kube-scheduler and kube-proxy (the local cluster of hack/cluster-up.sh).
# Tests and the main job use these binaries so that schema validation, CEL, admission webhooks, Services and
# pods are Kubernetes' own. The packaging tests' linters come the same way: actionlint (the release workflow),
# promtool (the chart's alert rules and their unit tests) and promlint (client_golang's linter of the metrics
# the operator and the agent really export, through a small wrapper program).
#
# Layout is what io.fabric8:kube-api-test expects for an offline start (it ignores the node binaries):
#   $KEEPALIVE_TOOLS_DIR/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl,kubelet,kube-controller-manager,...}
#   $KEEPALIVE_TOOLS_DIR/bin/{helm,actionlint,promtool,promlint}
#
# Cold builds measured on this project's 2-core machine from an empty HOME (2026-12-02, quiet): the six Kubernetes
# binaries and etcd 5 min 20 s together (kube-apiserver first, 3 min 35 s; the rest share its packages), helm 1 min,
# actionlint 4 s, promtool 3 min 40 s, promlint 5 s; about twice as long with another build beside them.
# --no-linters skips actionlint, promtool and promlint: the main job (hack/local-up.sh) runs none of them, and on
# a fresh machine promtool alone is a third of the build.
# Prints the tools directory on stdout; progress goes to stderr.
set -euo pipefail

linters=true
case "${1:-}" in
  --no-linters) linters=false ;;
  "") ;;
  *) echo "usage: $0 [--no-linters]" >&2; exit 2 ;;
esac

K8S_VERSION="${K8S_VERSION:-1.34.4}"
HELM_VERSION="${HELM_VERSION:-3.19.5}"
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-1.7.12}"
# promtool's module: Prometheus v3.x is tagged v0.3xx.y for Go (3.16.0 = v0.316.0)
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-0.316.0}"
CLIENT_GOLANG_VERSION="${CLIENT_GOLANG_VERSION:-1.23.2}"
TOOLS_DIR="${KEEPALIVE_TOOLS_DIR:-$HOME/.cache/keepalive-operator}"
K8S_DIR="$TOOLS_DIR/k8s/${K8S_VERSION}-linux-amd64"
WORK="$TOOLS_DIR/build"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
# Go may be installed without being on a non-login PATH (CI runs with a plain environment).
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

# kube-apiserver and kubectl first: the apiserver tier needs only them (and etcd)
KUBE_BINARIES=(kube-apiserver kubectl kubelet kube-controller-manager kube-scheduler kube-proxy)

log() { echo "ensure-tools: $*" >&2; }

build_kubernetes() {
  local minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
  local mod="$WORK/k8s-$K8S_VERSION"
  mkdir -p "$mod" "$K8S_DIR"
  # k8s.io/kubernetes requires its staging modules at v0.0.0 and points them at ./staging with replace
  # directives, which a dependent module cannot see. A wrapper module repeats those replaces with the
  # published staging versions (v0.<minor>.<patch>).
  local gomod
  gomod="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v${K8S_VERSION}.mod"
  [[ -f "$gomod" ]] || (cd "$mod" && go mod download k8s.io/kubernetes@v"$K8S_VERSION" >&2)
  {
    echo "module keepalive.io/k8s-tools"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    grep -E '^\s*k8s.io/[a-z-]+ => \./staging' "$gomod" | awk -v v="v0.${K8S_VERSION#*.}" '{print "replace " $1 " => " $1 " " v}'
  } > "$mod/go.mod"
  cat > "$mod/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
  # -e: tidy reports what it cannot resolve and still writes go.mod/go.sum (it exits 0 then), so the build below
  # says what is really missing; a failure it does exit non-zero for (bad go.mod, no go) stops the script here.
  (cd "$mod" && go mod tidy -e 2>&1 | tail -5 >&2)
  local cv="k8s.io/component-base/version" gv="k8s.io/client-go/pkg/version"
  local ld="-s -w -X $cv.gitVersion=v$K8S_VERSION -X $cv.gitMajor=1 -X $cv.gitMinor=$minor"
  ld="$ld -X $gv.gitVersion=v$K8S_VERSION -X $gv.gitMajor=1 -X $gv.gitMinor=$minor"
  local b
  for b in "${KUBE_BINARIES[@]}"; do
    [[ -x "$K8S_DIR/$b" ]] && continue
    log "building $b v$K8S_VERSION (several minutes each on 2 cores; later ones reuse the build cache)"
    # .tmp then mv: an interrupted build never leaves a binary that looks complete
    (cd "$mod" && go build -ldflags "$ld" -o "$K8S_DIR/$b.tmp" "k8s.io/kubernetes/cmd/$b")
    mv "$K8S_DIR/$b.tmp" "$K8S_DIR/$b"
  done
  if [[ ! -x "$K8S_DIR/etcd" ]]; then
    log "building etcd (the version kubernetes v$K8S_VERSION pins)"
    (cd "$mod" && go build -ldflags "-s -w" -o "$K8S_DIR/etcd.tmp" go.etcd.io/etcd/server/v3)
    mv "$K8S_DIR/etcd.tmp" "$K8S_DIR/etcd"
  fi
}

build_helm() {
  mkdir -p "$TOOLS_DIR/bin"
  log "building helm v$HELM_VERSION"
  GOBIN="$TOOLS_DIR/bin" go install -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2
}

# A Go program installed by its module path and version; the version is part of the cached name, so a
# changed pin builds again.
install_go_tool() {
  local name="$1" package="$2" version="$3"
  local target="$TOOLS_DIR/bin/$name-v$version"
  if [[ ! -x "$target" ]]; then
    log "building $name v$version"
    local gobin="$WORK/gobin-$name"
    mkdir -p "$gobin"
    GOBIN="$gobin" go install -ldflags "-s -w" "$package@v$version" >&2
    mv "$gobin/$name" "$target"
  fi
  ln -sfn "$name-v$version" "$TOOLS_DIR/bin/$name"
}

# promlint is a library (client_golang's prometheus/testutil/promlint): a wrapper module runs it over a scrape.
build_promlint() {
  local target="$TOOLS_DIR/bin/promlint-v$CLIENT_GOLANG_VERSION"
  [[ -x "$target" ]] || {
    log "building promlint (client_golang v$CLIENT_GOLANG_VERSION)"
    local mod="$WORK/promlint-$CLIENT_GOLANG_VERSION"
    mkdir -p "$mod"
    printf 'module keepalive.io/promlint\n\ngo 1.23\n\nrequire github.com/prometheus/client_golang v%s\n' \
      "$CLIENT_GOLANG_VERSION" > "$mod/go.mod"
    cat > "$mod/main.go" <<'GO'
// promlint lints the Prometheus text exposition on stdin with client_golang's promlint: one line per
// problem ("metric: problem"), exit 1 when there is any, 2 when the input does not parse.
package main

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func main() {
	problems, err := promlint.New(os.Stdin).Lint()
	if err != nil {
		fmt.Fprintln(os.Stderr, "promlint:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Printf("%s: %s\n", p.Metric, p.Text)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}
GO
    (cd "$mod" && go mod tidy 2>&1 | tail -3 >&2 && go build -ldflags "-s -w" -o "$target.tmp" . && mv "$target.tmp" "$target")
  }
  ln -sfn "promlint-v$CLIENT_GOLANG_VERSION" "$TOOLS_DIR/bin/promlint"
}

missing=false
for b in "${KUBE_BINARIES[@]}" etcd; do [[ -x "$K8S_DIR/$b" ]] || missing=true; done
if $missing; then
  build_kubernetes
fi
[[ -x "$TOOLS_DIR/bin/helm" ]] || build_helm
if $linters; then
  install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
  install_go_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION"
  build_promlint
fi
"$K8S_DIR/kube-apiserver" --version >&2
# Captured, not piped into head: under pipefail, head closing the pipe early kills etcd with SIGPIPE and
# the script with exit 141 (seen in CI on a loaded machine).
etcd_version="$("$K8S_DIR/etcd" --version 2>&1)"
echo "${etcd_version%%$'\n'*}" >&2
echo "$TOOLS_DIR"
