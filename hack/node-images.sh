#!/usr/bin/env bash
# Builds the images the local cluster and its demo workload need, as docker-archive tarballs in
# $KEEPALIVE_TOOLS_DIR/images (no registry is reachable, so nothing can be pulled):
#   pause.tar   the pod sandbox (a static C program, hack/images/pause.c)
#   busybox.tar a shell and coreutils, for test workloads that read /proc/sys
#   nginx.tar   Debian's nginx binary with the libraries it links, run as non-root with a config from the pod
#   pooled-client.tar  the demo's HTTP client (a static C program, hack/images/pooled-client.c)
# The project's own image is built by the Maven build (see docs/images.md), not here.
# Idempotent: an image is rebuilt only when its inputs (this script, its sources, the host binary) changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/cluster-env.sh
mkdir -p "$IMAGES_DIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/node-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log() { echo "node-images: $*" >&2; }

# fresh NAME INPUT...: true when NAME.tar was built from exactly these inputs
fresh() {
  local name=$1; shift
  local sum; sum=$(cat hack/node-images.sh hack/image-tar.sh "$@" | sha256sum | cut -d' ' -f1)
  echo "$sum" > "$WORK/$name.sum"
  [[ -f "$IMAGES_DIR/$name.tar" && "$(cat "$IMAGES_DIR/$name.sum" 2>/dev/null)" == "$sum" ]]
}
done_image() { mv "$WORK/$1.sum" "$IMAGES_DIR/$1.sum"; log "$IMAGES_DIR/$1.tar ($(du -h "$IMAGES_DIR/$1.tar" | cut -f1))"; }

# copies a binary and every library it links (per ldd) into a root filesystem
with_libraries() { # rootfs binary...
  local root=$1; shift
  local f
  for f in $(ldd "$@" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u); do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
  done
}
users() { # rootfs: root and the unprivileged users the workloads run as
  mkdir -p "$1/etc"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnginx:x:101:101:nginx:/nonexistent:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnginx:x:101:\nnogroup:x:65534:\n' > "$1/etc/group"
}

if ! fresh pause hack/images/pause.c; then
  mkdir -p "$WORK/pause"
  gcc -static -Os -s -o "$WORK/pause/pause" hack/images/pause.c
  hack/image-tar.sh "$WORK/pause" "$PAUSE_IMAGE" "$IMAGES_DIR/pause.tar" '["/pause"]' null '[]' 65535
  done_image pause
fi

busybox_rootfs() { # dir
  mkdir -p "$1/bin" "$1/tmp" "$1/usr" && chmod 1777 "$1/tmp"
  cp /bin/busybox "$1/bin/busybox"
  for applet in $(/bin/busybox --list); do [[ $applet == busybox ]] || ln -s busybox "$1/bin/$applet"; done
  ln -s bin "$1/sbin"; ln -s ../bin "$1/usr/bin"; ln -s ../bin "$1/usr/sbin"
  users "$1"
}

if ! fresh busybox /bin/busybox; then
  R="$WORK/busybox"
  busybox_rootfs "$R"
  hack/image-tar.sh "$R" localhost/keepalive-cluster/busybox:1 "$IMAGES_DIR/busybox.tar" '["/bin/sh"]'
  done_image busybox
fi

if ! fresh nginx /usr/sbin/nginx /etc/nginx/mime.types; then
  R="$WORK/nginx"
  mkdir -p "$R/usr/sbin" "$R/etc/nginx" "$R/tmp" "$R/var/lib/nginx" "$R/var/log/nginx" && chmod 1777 "$R/tmp"
  cp /usr/sbin/nginx "$R/usr/sbin/nginx"
  cp /etc/nginx/mime.types "$R/etc/nginx/mime.types"
  with_libraries "$R" /usr/sbin/nginx
  users "$R"
  # the pod mounts its nginx.conf; logs go to stderr, temporary files to /tmp (read-only root filesystem)
  hack/image-tar.sh "$R" localhost/keepalive-cluster/nginx:1 "$IMAGES_DIR/nginx.tar" \
    '["/usr/sbin/nginx","-e","stderr","-g","daemon off;"]' '["-c","/etc/nginx/conf/nginx.conf"]' \
    '["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]' 101
  done_image nginx
fi

if ! fresh pooled-client hack/images/pooled-client.c /bin/busybox; then
  # on the busybox root filesystem: like most application images it has a shell, so that `kubectl exec` can
  # show what the container sees in /proc/sys
  R="$WORK/pooled-client"
  busybox_rootfs "$R"
  gcc -static -Os -s -Wall -Werror -o "$R/bin/pooled-client" hack/images/pooled-client.c
  hack/image-tar.sh "$R" localhost/keepalive-cluster/pooled-client:1 "$IMAGES_DIR/pooled-client.tar" \
    '["/bin/pooled-client"]' null '["PATH=/bin"]' 65534
  done_image pooled-client
fi
