# Settings of the local cluster, sourced by hack/cluster-*.sh and hack/local-up.sh (and read by the cluster
# test tier through `bash hack/cluster-env.sh --print`). One place for every address, port and path.
TOOLS_DIR="${KEEPALIVE_TOOLS_DIR:-$HOME/.cache/keepalive-operator}"
K8S_VERSION="${K8S_VERSION:-1.34.4}"
K8S_BIN="$TOOLS_DIR/k8s/${K8S_VERSION}-linux-amd64"
KUBECTL="$K8S_BIN/kubectl"
HELM="$TOOLS_DIR/bin/helm"
IMAGES_DIR="$TOOLS_DIR/images"
C="${KEEPALIVE_CLUSTER_DIR:-$TOOLS_DIR/cluster}"
# held by cluster-up.sh and cluster-down.sh while they run
CLUSTER_LOCK="${KEEPALIVE_CLUSTER_LOCK:-/run/keepalive-cluster.lock}"
# held by whoever uses the cluster for a while (the main job, the cluster tier, bench/cluster.sh): one user at a
# time, so that nobody tears down a cluster another is measuring or testing on (use_cluster below)
CLUSTER_USE_LOCK="${KEEPALIVE_CLUSTER_USE_LOCK:-/run/keepalive-cluster.use}"
NODE_NAME=keepalive-node
BRIDGE=ka0
NFT_TABLE=keepalive-cluster
# The node's address is the bridge's: it exists only on this machine, and pods reach it directly.
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
ETCD_PORT=23790
ETCD_PEER_PORT=23800
API_PORT=16443
API_URL="https://$NODE_IP:$API_PORT"
KCM_PORT=10357
SCHEDULER_PORT=10359
KUBELET_PORT=10250
KUBELET_HEALTHZ_PORT=10248
PROXY_HEALTHZ_PORT=10356
PROXY_METRICS_PORT=10349
CONTAINERD_SOCK="$C/run/containerd.sock"
CTR="ctr --address $CONTAINERD_SOCK -n k8s.io"
PAUSE_IMAGE=localhost/keepalive-cluster/pause:1
export KUBECONFIG="$C/etc/admin.kubeconfig"
# Kernel tunables the kubelet (and this cluster's forwarding) change: saved before, restored by cluster-down.sh.
HOST_SYSCTLS=(net/ipv4/ip_forward vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops
  kernel/keys/root_maxkeys kernel/keys/root_maxbytes)
# Host directories the components create whatever their flags say: containerd 1.6 shims (/run/containerd/s),
# the kubelet (device-plugins, /var/log/containers), libcni's result cache (/var/lib/cni). Removed by
# cluster-down.sh only when cluster-up.sh found them absent, deepest first.
HOST_DIRS=(/run/containerd/s /run/containerd /var/lib/kubelet/device-plugins /var/lib/kubelet /var/log/containers
  /var/lib/cni/results /var/lib/cni)

# use_cluster SCRIPT "$@" (SCRIPT relative to the repository root, the working directory): re-runs the script under the use lock, waiting up to an hour for another user.
# flock -o: the lock stays with flock itself, so the servers the script starts never hold it.
use_cluster() {
  [[ -n "${KEEPALIVE_CLUSTER_IN_USE:-}" ]] && return 0
  echo "waiting for the local cluster ($CLUSTER_USE_LOCK) if another run uses it" >&2
  exec env KEEPALIVE_CLUSTER_IN_USE=1 flock -o -w 3600 "$CLUSTER_USE_LOCK" bash "$@"
}

if [[ "${1:-}" == --print ]]; then
  for v in TOOLS_DIR K8S_VERSION K8S_BIN KUBECTL HELM IMAGES_DIR C NODE_NAME BRIDGE NODE_IP POD_CIDR SERVICE_CIDR \
           API_URL CONTAINERD_SOCK KUBECONFIG CLUSTER_USE_LOCK; do
    printf '%s=%s\n' "$v" "${!v}"
  done
fi
