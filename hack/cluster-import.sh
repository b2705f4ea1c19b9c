#!/usr/bin/env bash
# Imports docker-archive/OCI image tarballs into the local cluster's containerd (namespace k8s.io, where the
# kubelet looks), unless an image of the same name and digest is there already. Pods then use them with a pull
# policy that never pulls (IfNotPresent with a fixed tag, or Never): no registry is involved.
#   hack/cluster-import.sh IMAGE.tar...
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/cluster-env.sh
for tarball in "$@"; do
  [[ -f "$tarball" ]] || { echo "cluster-import: no such image tarball: $tarball" >&2; exit 1; }
  # --no-unpack would leave the kubelet to unpack at the first pod; unpacking now keeps pod start times honest
  $CTR images import --snapshotter overlayfs "$tarball" | sed 's/^/cluster-import: /' >&2
done
