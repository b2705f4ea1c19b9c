#!/usr/bin/env bash
# Stops what hack/cluster-up.sh started, by the PIDs it recorded, and undoes its host changes:
#   1. stops kube-controller-manager and kube-scheduler, so that nothing recreates the pods deleted next
#   2. deletes every pod through the API while the kubelet runs (it stops their containers and sandboxes)
#   3. stops kube-proxy and removes its nftables tables, stops the kubelet
#   4. kills container tasks left, stops containerd, then the shims whose -address is OUR socket
#   5. stops kube-apiserver and etcd
#   6. unmounts what is left under the cluster directory, removes the kubepods cgroups, the bridge, our
#      nftables table, the host directories cluster-up.sh found absent, and restores the kernel tunables
#   7. deletes the cluster's state (etcd, kubelet, containerd with its images), keeping the PKI: the next
#      cluster-up.sh starts a fresh cluster. KEEP_STATE=1 keeps it, for a cluster that comes back as it was.
set -uo pipefail
cd "$(dirname "$0")/.."
source hack/cluster-env.sh
log() { echo "[cluster-down] $*" >&2; }

[[ -d "$C/run" ]] || { log "nothing to stop ($C/run absent)"; exit 0; }
exec {lock}>"$CLUSTER_LOCK"
flock -w 600 "$lock" || { log "another cluster-up/down holds $CLUSTER_LOCK"; exit 1; }

alive() { [[ -f "$C/run/$1.pid" ]] && kill -0 "$(cat "$C/run/$1.pid")" 2>/dev/null; }
stop() { # name [seconds to wait after TERM]
  local name=$1 wait=${2:-20} pid
  [[ -f "$C/run/$name.pid" ]] || return 0
  pid=$(cat "$C/run/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 $((wait * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; log "$name ($pid) killed"; else log "$name ($pid) stopped"; fi
  fi
  rm -f "$C/run/$name.pid"
}

# the IDs of our containers, to find the kubelet's symlinks in /var/log/containers and libcni's cache later
alive containerd && $CTR containers ls -q > "$C/run/container-ids" 2>/dev/null
stop kube-controller-manager
stop kube-scheduler
if alive kube-apiserver && alive kubelet; then
  "$KUBECTL" delete pods --all -A --grace-period=1 --wait=false >/dev/null 2>&1
  for _ in $(seq 1 120); do
    [[ -z "$("$KUBECTL" get pods -A -o name 2>/dev/null)" ]] && break
    sleep 0.5
  done
  for _ in $(seq 1 60); do [[ -z "$($CTR tasks ls -q 2>/dev/null)" ]] && break; sleep 0.5; done
fi
stop kube-proxy
for family in ip ip6; do nft delete table "$family" kube-proxy 2>/dev/null && log "removed nftables table $family kube-proxy"; done
stop kubelet

if alive containerd; then
  for t in $($CTR tasks ls -q 2>/dev/null); do $CTR tasks kill -s SIGKILL "$t" >/dev/null 2>&1; done
  for _ in 1 2 3 4; do [[ -z "$($CTR tasks ls -q 2>/dev/null)" ]] && break; sleep 0.5; done
  for t in $($CTR tasks ls -q 2>/dev/null); do $CTR tasks delete -f "$t" >/dev/null 2>&1; done
  for c in $($CTR containers ls -q 2>/dev/null); do $CTR containers delete "$c" >/dev/null 2>&1; done
fi
stop containerd
# Shims outlive containerd by design; ours carry "-address <our socket>" on their command line.
for p in $(pgrep -f containerd-shim-runc-v2 2>/dev/null); do
  # captured, then matched: grep -q on a pipe would close it early (SIGPIPE under pipefail)
  cmdline=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
  if [[ "$cmdline" == *"-address $CONTAINERD_SOCK "* ]]; then
    kill -KILL "$p" 2>/dev/null && log "killed shim $p"
  fi
done
rm -f "$CONTAINERD_SOCK" "$CONTAINERD_SOCK.ttrpc"
stop kube-apiserver
stop etcd

# mounts under the cluster directory (rootfs overlays, netns bind mounts, kubelet volumes), deepest first
awk -v r="$C/" 'index($2, r) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m"
done
# cgroups the kubelet and runc created (cgroupfs driver: kubepods under every hierarchy), deepest first
for c in $(find /sys/fs/cgroup -maxdepth 2 -type d -name 'kubepods*' 2>/dev/null); do
  find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
done
if [[ -n "$(find /sys/fs/cgroup -maxdepth 2 -type d -name 'kubepods*' 2>/dev/null)" ]]; then
  log "some kubepods cgroups could not be removed"
fi
ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE" && log "removed bridge $BRIDGE"
nft delete table inet "$NFT_TABLE" 2>/dev/null && log "removed nftables table inet $NFT_TABLE"

# the kubelet's legacy log symlinks and libcni's cached results for our containers and network
if [[ -s "$C/run/container-ids" ]]; then
  while read -r id; do
    rm -f /var/log/containers/*-"$id".log "/var/lib/cni/results/keepalive-cluster-$id-eth0" \
      "/var/lib/cni/results/cni-loopback-$id-lo"
  done < "$C/run/container-ids"
fi
rm -f "$C/run/container-ids"
if [[ -f "$C/run/hostdirs.created" ]]; then
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock
  while read -r d; do [[ -d "$d" ]] && rmdir "$d" 2>/dev/null && log "removed $d"; done < "$C/run/hostdirs.created"
fi
if [[ -f "$C/run/sysctls.orig" ]]; then
  while read -r s v; do echo "$v" > "/proc/sys/$s"; done < "$C/run/sysctls.orig"
  log "kernel tunables restored"
fi
rm -f "$C/run/hostdirs.created" "$C/run/sysctls.orig" "$C/run/host.saved"
if [[ "${KEEP_STATE:-}" != 1 ]]; then rm -rf "$C"/{data,log,run}; log "state deleted (the PKI and logs/ stay)"; fi
log "down"
