#!/usr/bin/env bash
# Builds the real Kubernetes binaries and helm from their Go modules, once, into a cache outside the
# repository: etcd, kube-apiserver and kubectl (the apiserver tier and the packaging tier), and the node's
# kubelet, kube-controller-manager, kube-scheduler and kube-proxy (the local cluster of hack/cluster-up.sh).
# Tests and the main job use these binaries so that schema validation, CEL, admission webhooks, Services and
# pods are Kubernetes' own.
#
# Layout is what io.fabric8:kube-api-test expects for an offline start (it ignores the node binaries):
#   $KEEPALIVE_TOOLS_DIR/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl,kubelet,kube-controller-manager,...}
#   $KEEPALIVE_TOOLS_DIR/bin/helm
# Prints the tools directory on stdout; progress goes to stderr.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.4}"
HELM_VERSION="${HELM_VERSION:-3.19.5}"
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

missing=false
for b in "${KUBE_BINARIES[@]}" etcd; do [[ -x "$K8S_DIR/$b" ]] || missing=true; done
if $missing; then
  build_kubernetes
fi
[[ -x "$TOOLS_DIR/bin/helm" ]] || build_helm
"$K8S_DIR/kube-apiserver" --version >&2
# Captured, not piped into head: under pipefail, head closing the pipe early kills etcd with SIGPIPE and
# the script with exit 141 (seen in CI on a loaded machine).
etcd_version="$("$K8S_DIR/etcd" --version 2>&1)"
echo "${etcd_version%%$'\n'*}" >&2
echo "$TOOLS_DIR"
