#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine (idempotent, quiet when all is there):
# Debian packages for the real-kernel tier (iproute2, nftables, conntrack, nginx, gunicorn, ss, unshare,
# mount), the JDK's jmods and containerd for the image, the Go-built control plane and helm
# (hack/ensure-tools.sh), and the image's base image (hack/base-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# mount is its own package on Debian (not util-linux, which has unshare); ApplySysctlsNetnsTest needs both
# openjdk-17-jdk-headless ships the jmods hack/base-image.sh jlinks; containerd imports the image (ImageImportIT)
PACKAGES=(iproute2 nftables conntrack nginx-light gunicorn python3 procps curl openssl util-linux mount
  openjdk-17-jdk-headless containerd)
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
# nginx's Debian package starts a server on :80, containerd's a system daemon; the tests start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx containerd >/dev/null 2>&1 || true; fi
pkill -x nginx 2>/dev/null || true

bash hack/ensure-tools.sh >/dev/null
bash hack/base-image.sh >/dev/null
