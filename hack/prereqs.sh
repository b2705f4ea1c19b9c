#!/usr/bin/env bash
# Installs what the build, the tests and the main job need on a fresh Debian machine (idempotent, quiet when all
# is there): Debian packages for the real-kernel tier (iproute2, nftables, conntrack, nginx, gunicorn, ss,
# unshare, mount), the JDK's jmods for the image's base, containerd, runc and the CNI plugins for the local
# cluster (gcc and busybox for its images), the Go-built Kubernetes binaries and helm (hack/ensure-tools.sh),
# the image's base image (hack/base-image.sh) and the cluster's images (hack/node-images.sh).
# Usage: hack/prereqs.sh [--no-linters]   (passed to hack/ensure-tools.sh: the main job needs no test linters)
set -euo pipefail
cd "$(dirname "$0")/.."

# mount is its own package on Debian (not util-linux, which has unshare); ApplySysctlsNetnsTest needs both
# openjdk-17-jdk-headless ships the jmods hack/base-image.sh jlinks; containerd imports the image (ImageImportIT)
# and runs the local cluster's pods with runc and the CNI plugins
PACKAGES=(iproute2 nftables conntrack nginx-light gunicorn python3 procps curl openssl util-linux mount
  openjdk-17-jdk-headless containerd runc containernetworking-plugins gcc libc6-dev busybox-static)
missing=()
for p in "${PACKAGES[@]}"; do
  # Compared, not piped into grep -q, which may close the pipe early (SIGPIPE fails the pipe under pipefail).
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "prereqs: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# The packages' postinst may start node-wide daemons (nginx on :80, containerd) where an init system runs: the
# tests start their own nginx, the cluster its own containerd. Stop only the packaged ones, by their PID files
# (a test's or a pod's nginx is no business of this script).
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx containerd >/dev/null 2>&1 || true; fi
if [[ -s /run/nginx.pid ]] && [[ "$(readlink "/proc/$(cat /run/nginx.pid)/exe" 2>/dev/null)" == /usr/sbin/nginx ]]; then
  kill "$(cat /run/nginx.pid)" 2>/dev/null || true
fi

bash hack/ensure-tools.sh "$@" >/dev/null
bash hack/base-image.sh >/dev/null
bash hack/node-images.sh
