#!/usr/bin/env bash
# Brings up a real single-node Kubernetes cluster on this machine (as root), for the main job and the cluster
# test tier: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy (built from
# their Go modules by hack/ensure-tools.sh) with Debian's containerd, runc and CNI plugins (hack/prereqs.sh).
#
#   hack/cluster-up.sh      idempotent: a component whose recorded PID is alive is left alone
#   hack/cluster-down.sh    stops exactly what this started (by PID) and undoes every host change
#
# Everything lives under $KEEPALIVE_CLUSTER_DIR (default ~/.cache/keepalive-operator/cluster); kubeconfig:
# $KEEPALIVE_CLUSTER_DIR/etc/admin.kubeconfig. Host changes (recorded in run/, undone by cluster-down.sh):
#   - bridge ka0 (10.244.0.1/16): the pods' network AND the node's address. Every server of the cluster
#     listens on 127.0.0.1 or on 10.244.0.1, an address that exists only on this machine, so nothing is
#     reachable from another host;
#   - net.ipv4.ip_forward=1 with an nftables table `keepalive-cluster` that forwards only from ka0 back to ka0
#     (pod -> Service ClusterIP -> pod) and drops every other forwarded packet: no pod reaches past this machine;
#   - kube-proxy's own nftables tables (mode nftables) and the kubelet's kernel tunables (vm.overcommit_memory,
#     kernel.panic, kernel.panic_on_oops, ...);
#   - host directories the components create whatever their flags say (recorded when they did not exist).
#
# Why kube-proxy (nftables mode) rather than --enable-aggregator-routing: the chart's paths all go through
# Services (the API server calls the webhook through its Service; the operator finds the API server through the
# `kubernetes` Service ClusterIP its in-cluster configuration is given; the demo client reaches nginx through a
# Service). kube-proxy serves all three, so the chart needs no value that exists only for this cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/cluster-env.sh

T0=$(date +%s.%N)
log() { printf '[cluster-up %5.1fs] %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN{print a-b}')" "$*" >&2; }
die() { echo "cluster-up: $*" >&2; exit 1; }
# Config files are rewritten only when their content changes: kube-proxy exits when its file changes, and a
# second cluster-up must leave a running cluster alone.
write() { # file (content on stdin)
  local tmp; tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

[[ $(id -u) == 0 ]] || die "needs root (kubelet, containerd, bridge, nftables)"
for b in "$K8S_BIN"/{etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl}; do
  [[ -x "$b" ]] || die "missing $b: run hack/prereqs.sh (builds it with hack/ensure-tools.sh)"
done
for b in /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/sbin/runc /usr/lib/cni/bridge /usr/lib/cni/host-local \
         /usr/lib/cni/loopback /usr/sbin/nft /usr/bin/openssl; do
  [[ -x "$b" ]] || die "missing $b: run hack/prereqs.sh (installs containerd, runc, containernetworking-plugins, nftables)"
done
[[ -f "$IMAGES_DIR/pause.tar" ]] || die "missing $IMAGES_DIR/pause.tar: run hack/node-images.sh (hack/prereqs.sh does)"

# One cluster per machine: its bridge, ports, cgroups and host directories are machine-wide.
exec {lock}>"$CLUSTER_LOCK"
flock -w 600 "$lock" || die "another cluster-up/down holds $CLUSTER_LOCK"

# a cluster starting from nothing starts its logs afresh too (cluster-down.sh keeps them for a post-mortem)
[[ -f "$C/run/host.saved" ]] || rm -rf "$C/logs"
mkdir -p "$C"/{pki,etc/cni,run,logs,data/etcd,data/kubelet,data/containerd,log/pods}

# ---------------------------------------------------------------------------------------------- host state
# Written once, before the first change, so that cluster-down.sh restores what the machine had.
if [[ ! -f "$C/run/host.saved" ]]; then
  for s in "${HOST_SYSCTLS[@]}"; do echo "$s $(cat "/proc/sys/$s")"; done > "$C/run/sysctls.orig"
  for d in "${HOST_DIRS[@]}"; do [[ -e "$d" ]] || echo "$d"; done > "$C/run/hostdirs.created"
  touch "$C/run/host.saved"
fi

# ---------------------------------------------------------------------------------------------- network
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
  ip addr add "$NODE_IP/16" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  log "bridge $BRIDGE $NODE_IP/16"
fi
# Forwarding, for pod -> ClusterIP -> pod only. The table is ours alone; deleting it undoes all of it.
nft -f - <<EOF
table inet $NFT_TABLE
delete table inet $NFT_TABLE
table inet $NFT_TABLE {
  chain forward {
    type filter hook forward priority filter; policy drop;
    iifname "$BRIDGE" oifname "$BRIDGE" accept
  }
}
EOF
echo 1 > /proc/sys/net/ipv4/ip_forward

write "$C/etc/cni/10-keepalive-cluster.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "keepalive-cluster",
  "plugins": [
    { "type": "bridge", "bridge": "$BRIDGE", "isGateway": false, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$C/data/cni-ipam",
                "ranges": [[{ "subnet": "$POD_CIDR", "rangeStart": "10.244.0.10", "gateway": "$NODE_IP" }]],
                "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "loopback" }
  ]
}
EOF
# isGateway false: the bridge plugin would switch on ip_forward itself and never undo it; the bridge already
# carries the gateway address.

# ---------------------------------------------------------------------------------------------- PKI
pki() {
  cd "$C/pki"
  [[ -f ca.key ]] || openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
    -subj "/CN=keepalive-cluster-ca" 2>/dev/null
  [[ -f sa.key ]] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }
  cert() { # name subject usage [subjectAltName]
    [[ -f $1.crt ]] && return
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
      echo "extendedKeyUsage=$3"; [[ -z ${4:-} ]] || echo "subjectAltName=$4"; } > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 3650 \
      -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
  }
  cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:$NODE_IP,IP:127.0.0.1,IP:$KUBERNETES_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=keepalive-cluster-admin" clientAuth
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
  cert kubelet-serving "/CN=$NODE_NAME" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"
  cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
  cert kube-scheduler "/CN=system:kube-scheduler" clientAuth
  cert kube-proxy "/CN=system:kube-proxy" clientAuth
  cd - >/dev/null
}
kubeconfig() { # file user
  write "$C/etc/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: keepalive-cluster
  cluster: {server: "$API_URL", certificate-authority: $C/pki/ca.crt}
users:
- name: $1
  user: {client-certificate: $C/pki/$1.crt, client-key: $C/pki/$1.key}
contexts:
- name: keepalive-cluster
  context: {cluster: keepalive-cluster, user: $1}
current-context: keepalive-cluster
EOF
}
pki
for u in admin kubelet kube-controller-manager kube-scheduler kube-proxy; do kubeconfig $u; done

# ---------------------------------------------------------------------------------------------- processes
alive() { [[ -f "$C/run/$1.pid" ]] && kill -0 "$(cat "$C/run/$1.pid")" 2>/dev/null; }
start() { # name command...
  local name=$1; shift
  if alive "$name"; then log "$name already running (pid $(cat "$C/run/$name.pid"))"; return; fi
  # {lock}>&-: the lock is this script's, not the servers' (they would hold it for as long as they run)
  setsid "$@" >>"$C/logs/$name.log" 2>&1 </dev/null {lock}>&- &
  echo $! > "$C/run/$name.pid"
  log "started $name (pid $!)"
}
wait_for() { # seconds what command...
  local n=$1 what=$2; shift 2
  for _ in $(seq 1 $((n * 4))); do
    if "$@" >/dev/null 2>&1; then log "$what"; return 0; fi
    sleep 0.25
  done
  die "timed out after ${n}s waiting for: $what (logs: $C/logs/)"
}

start etcd "$K8S_BIN/etcd" --name keepalive-cluster --data-dir "$C/data/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "keepalive-cluster=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" --log-level warn
wait_for 30 "etcd healthy" curl -sf "http://127.0.0.1:$ETCD_PORT/health"

start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" --bind-address="$NODE_IP" --advertise-address="$NODE_IP" \
  --secure-port="$API_PORT" --tls-cert-file="$C/pki/apiserver.crt" --tls-private-key-file="$C/pki/apiserver.key" \
  --client-ca-file="$C/pki/ca.crt" --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$C/pki/sa.pub" --service-account-signing-key-file="$C/pki/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true --kubelet-preferred-address-types=InternalIP \
  --kubelet-client-certificate="$C/pki/apiserver-kubelet-client.crt" --kubelet-client-key="$C/pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$C/pki/ca.crt" --cert-dir="$C/data/apiserver-certs" --profiling=false
wait_for 90 "kube-apiserver ready at $API_URL" "$KUBECTL" get --raw /readyz

start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig="$C/etc/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$C/etc/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$C/etc/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$C/pki/sa.key" --root-ca-file="$C/pki/ca.crt" \
  --service-cluster-ip-range="$SERVICE_CIDR" --cluster-signing-cert-file="$C/pki/ca.crt" \
  --cluster-signing-key-file="$C/pki/ca.key" --cert-dir="$C/data/kcm-certs" \
  --flex-volume-plugin-dir="$C/data/kcm-flexvolume" --profiling=false
start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig="$C/etc/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$C/etc/kube-scheduler.kubeconfig" --authorization-kubeconfig="$C/etc/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false --cert-dir="$C/data/scheduler-certs" \
  --profiling=false

# ---------------------------------------------------------------------------------------------- containerd
write "$C/etc/containerd.toml" <<EOF
version = 2
root = "$C/data/containerd/root"
state = "$C/data/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$C/data/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  netns_mounts_under_state_dir = true
  # No process here has CAP_SYS_RESOURCE in its bounding set, so runc cannot lower oom_score_adj below
  # containerd's own and every sandbox would fail ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  # exec/attach/port-forward streams: loopback, a port the kernel picks
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "$C/run/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$C/etc/cni"
    max_conf_num = 1
EOF
start containerd /usr/bin/containerd --config "$C/etc/containerd.toml"
wait_for 30 "containerd serving" $CTR version
hack/cluster-import.sh "$IMAGES_DIR/pause.tar"

# ---------------------------------------------------------------------------------------------- kubelet
write "$C/etc/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $C/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $C/pki/kubelet-serving.crt
tlsPrivateKeyFile: $C/pki/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
makeIPTablesUtilChains: false
podLogsDir: $C/log/pods
volumePluginDir: $C/data/kubelet-volume-plugins
resolvConf: /etc/resolv.conf
evictionHard: {memory.available: "100Mi", nodefs.available: "2%", imagefs.available: "2%", nodefs.inodesFree: "2%"}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
serializeImagePulls: false
EOF
# Ready with a heartbeat from THIS kubelet: with etcd state kept, the Node still says Ready from the last run.
ready_now() {
  local out st hb
  out=$("$KUBECTL" get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}') || return 1
  read -r st hb <<<"$out"
  [[ $st == True && ! $hb < $KUBELET_T0 ]]
}
KUBELET_T0=1970-01-01T00:00:00Z
alive kubelet || KUBELET_T0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
start kubelet "$K8S_BIN/kubelet" --config="$C/etc/kubelet.yaml" --kubeconfig="$C/etc/kubelet.kubeconfig" \
  --root-dir="$C/data/kubelet" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
wait_for 120 "node $NODE_NAME Ready" ready_now

# ---------------------------------------------------------------------------------------------- kube-proxy
write "$C/etc/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: {kubeconfig: $C/etc/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
# Without br_netfilter, a pod -> ClusterIP -> pod reply on the same bridge would skip the host's conntrack;
# masquerading every Service connection brings the reply back through the host, with no kernel module loaded.
masqueradeAll: true
# NodePorts only on the bridge address: nothing of this cluster is served on the machine's other interfaces.
nodePortAddresses: ["$NODE_IP/32"]
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# 0: leave the machine's conntrack table size and timeouts alone
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
start kube-proxy "$K8S_BIN/kube-proxy" --config="$C/etc/kube-proxy.yaml" --v=1
wait_for 60 "kube-proxy healthy" curl -sf "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"

wait_for 60 "ServiceAccount default/default and kube-root-ca.crt published" \
  bash -c "'$KUBECTL' -n default get sa default && '$KUBECTL' -n default get cm kube-root-ca.crt"
log "up: export KUBECONFIG=$KUBECONFIG"
