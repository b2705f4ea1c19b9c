#!/usr/bin/env bash
# The main job, on a fresh machine, no cluster needed: build the operator, start a real local control plane
# (etcd + kube-apiserver built from the Go modules), install the CRD, run the operator against it with its
# admission webhook registered, apply an example policy, create pods, and show the policy's live status.
#
#   hack/local-up.sh            run the demo, print the status, stop everything
#   KEEP_RUNNING=1 hack/local-up.sh   leave the control plane and operator running (Ctrl-C stops them)
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR="$(bash hack/ensure-tools.sh)"
# `package` builds the image too, on this base (docs/images.md)
bash hack/base-image.sh >/dev/null
K8S_VERSION="$(sed -n 's:.*<k8s.version>\(.*\)</k8s.version>.*:\1:p' pom.xml)"
KUBECTL="$TOOLS_DIR/k8s/${K8S_VERSION}-linux-amd64/kubectl"
WORK="target/local"
export KUBECONFIG="$PWD/$WORK/kubeconfig"
NS=demo

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

step "Building the operator (./mvnw package)"
./mvnw -B -ntp -q -DskipTests package
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null

step "Starting etcd + kube-apiserver v$K8S_VERSION"
rm -f "$KUBECONFIG"
mkdir -p "$WORK"
java -Dtests.tools.dir="$TOOLS_DIR" -Dtests.k8s.version="$K8S_VERSION" \
  -cp "target/test-classes:target/classes:$(cat "$WORK/classpath.txt")" \
  io.keepalive.local.LocalControlPlane "$KUBECONFIG" > "$WORK/control-plane.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [[ -s "$KUBECONFIG" ]] && break; sleep 1; done
[[ -s "$KUBECONFIG" ]] || { echo "control plane did not start; see $WORK/control-plane.log" >&2; exit 1; }
"$KUBECTL" version 2>/dev/null | sed 's/^/  /'

step "Installing the KeepalivePolicy CRD (generated from the Java API)"
"$KUBECTL" apply -f target/kubernetes/keepalivepolicies.keepalive.io-v1.yml
"$KUBECTL" wait --for=condition=Established crd/keepalivepolicies.keepalive.io --timeout=60s
"$KUBECTL" create namespace keepalive-system --dry-run=client -o yaml | "$KUBECTL" apply -f - >/dev/null
"$KUBECTL" create namespace "$NS" --dry-run=client -o yaml | "$KUBECTL" apply -f - >/dev/null

step "Starting the operator (webhook at https://127.0.0.1:8443)"
KEEPALIVE_NAMESPACE=keepalive-system \
KEEPALIVE_WEBHOOK_URL=https://127.0.0.1:8443/mutate-pods \
QUARKUS_HTTP_PORT=8089 \
  java -jar target/quarkus-app/quarkus-run.jar operator > "$WORK/operator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:8089/q/health/ready >/dev/null 2>&1 && break; sleep 1; done
curl -sf http://127.0.0.1:8089/q/health/ready >/dev/null || { echo "operator not ready; see $WORK/operator.log" >&2; tail -20 "$WORK/operator.log" >&2; exit 1; }
sleep 2 # let the webhook registration land

step "A pod created before any policy exists"
"$KUBECTL" -n "$NS" run payments-early --image=registry.example/payments:1 --labels=app=payments --restart=Never

step "Applying deploy/examples/aws-nat-gateway.yaml"
cat deploy/examples/aws-nat-gateway.yaml
"$KUBECTL" -n "$NS" apply -f deploy/examples/aws-nat-gateway.yaml

step "Creating pods the policy selects (the webhook injects them)"
for i in 1 2; do
  "$KUBECTL" -n "$NS" run "payments-$i" --image=registry.example/payments:1 --labels=app=payments --restart=Never
done
"$KUBECTL" -n "$NS" run batch-1 --image=registry.example/batch:1 --labels=app=batch --restart=Never
sleep 3

step "kubectl get keepalivepolicies -n $NS -o wide"
"$KUBECTL" -n "$NS" get keepalivepolicies -o wide

step "kubectl describe keepalivepolicy egress-through-nat"
"$KUBECTL" -n "$NS" describe keepalivepolicy egress-through-nat | sed -n '/^Spec:/,$p'

step "What the webhook put into pod payments-1"
"$KUBECTL" -n "$NS" get pod payments-1 -o jsonpath='{.metadata.annotations}{"\n"}sysctls: {.spec.securityContext.sysctls}{"\n"}init containers: {.spec.initContainers[*].name}{"\n"}'

if [[ "${KEEP_RUNNING:-}" == 1 ]]; then
  step "Running. export KUBECONFIG=$KUBECONFIG; $KUBECTL get kap -A -w   (Ctrl-C to stop)"
  wait
fi
