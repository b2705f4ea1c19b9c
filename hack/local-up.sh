#!/usr/bin/env bash
# The main job, on a fresh machine (as root): a real single-node Kubernetes cluster on this machine, the
# operator's image built by Maven and imported into its containerd, the chart installed with `helm install`
# (default values), a policy and a demo workload that runs for real (hack/demo/), and what the operator tells
# about them once the agents in the pods have reported.
#
#   hack/local-up.sh                  run it, print the status, tear everything down
#   KEEP_RUNNING=1 hack/local-up.sh   leave the cluster running; hack/cluster-down.sh stops it
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/cluster-env.sh
use_cluster hack/local-up.sh "$@"
T0=$(date +%s)
step() { printf '\n\033[1m== %s\033[0m  (%ds)\n' "$*" "$(( $(date +%s) - T0 ))"; }
K() { "$KUBECTL" "$@"; }
NS=demo

[[ $(id -u) == 0 ]] || { echo "local-up: run as root (the kubelet, containerd and the pod bridge need it)" >&2; exit 1; }
if [[ "${KEEP_RUNNING:-}" != 1 ]]; then
  # Undo everything this run did, whatever happens (the cluster's own teardown stops what its up started).
  trap 'step "Tearing down (KEEP_RUNNING=1 keeps the cluster)"; bash hack/cluster-down.sh' EXIT
fi

step "Prerequisites (Debian packages; Kubernetes binaries and helm built once from their Go modules)"
bash hack/prereqs.sh --no-linters

step "Building the operator and its image (./mvnw package)"
./mvnw -B -ntp -q -DskipTests package
IMAGE_TAR=target/keepalive-operator-image.tar

step "Starting the cluster: etcd, kube-apiserver, controller-manager, scheduler, containerd, kubelet, kube-proxy"
bash hack/cluster-up.sh
bash hack/cluster-import.sh "$IMAGE_TAR" "$IMAGES_DIR"/{nginx,pooled-client}.tar
K get nodes -o wide

step "helm install keepalive-operator helm/keepalive-operator (default values)"
"$HELM" upgrade --install keepalive-operator helm/keepalive-operator --namespace keepalive-system \
  --create-namespace --wait --timeout 5m
K -n keepalive-system get pods -o wide

step "The demo: an nginx with keepalive_timeout 5s, and a pooled client that reuses connections after 10 s"
K apply -f hack/demo/workload.yaml
step "The policy (hack/demo/policy.yaml)"
grep -v '^#' hack/demo/policy.yaml
K apply -f hack/demo/policy.yaml
# Pods created before the policy run without it: restart the client so that the webhook injects its pods.
K -n "$NS" rollout restart deployment/checkout
K -n "$NS" rollout status deployment/checkout --timeout=180s
K -n "$NS" rollout status deployment/nginx --timeout=180s
K -n "$NS" get pods -o wide

step "Waiting for the agents in the pods to report (the operator collects every 30 s)"
for _ in $(seq 1 120); do
  reporting=$(K -n "$NS" get kap checkout -o jsonpath='{.status.conditions[?(@.type=="AgentsReporting")].status}')
  findings=$(K -n "$NS" get kap checkout -o jsonpath='{.status.observed.findings}')
  [[ "$reporting" == True && -n "$findings" ]] && break
  sleep 2
done

step "kubectl get kap -n $NS -o wide"
K -n "$NS" get kap -o wide
step "kubectl describe kap checkout -n $NS"
K -n "$NS" describe kap checkout | sed -n '/^Spec:/,$p'

step "The keepalive sysctls inside a running checkout container, and on the host"
pod=$(K -n "$NS" get pods -l app=checkout -o jsonpath='{.items[0].metadata.name}')
for s in tcp_keepalive_time tcp_keepalive_intvl tcp_keepalive_probes; do
  printf '  %-22s pod %s: %-6s host: %s\n' "$s" "$pod" \
    "$(K -n "$NS" exec "$pod" -c client -- cat /proc/sys/net/ipv4/$s)" "$(cat /proc/sys/net/ipv4/$s)"
done

step "What the agents found about the nginx"
K -n "$NS" get kap checkout -o jsonpath='{range .status.observed.findings[*]}  - {@}{"\n"}{end}'
step "And what the client lives through (kubectl logs $pod -c client --tail=4)"
K -n "$NS" logs "$pod" -c client --tail=4 | sed 's/^/  /'

step "Done in $(( $(date +%s) - T0 )) s"
if [[ "${KEEP_RUNNING:-}" == 1 ]]; then
  echo "The cluster keeps running: export KUBECONFIG=$KUBECONFIG; $KUBECTL get kap -A -w"
  echo "Stop it with: hack/cluster-down.sh"
fi
