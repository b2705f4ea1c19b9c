#!/usr/bin/env bash
# Runs the project's image without a container runtime, the way a pod runs it, to prove what is in it
# (ImageRootfsIT, bench/image-start.sh). Needs root (mount namespaces, chroot).
#
#   hack/image-rootfs.sh unpack IMAGE.tar DIR
#       unpacks the layers of a docker-archive (the tarball `./mvnw package` writes) into DIR, in order
#   hack/image-rootfs.sh run DIR UID:GID TMPDIR COMMAND [ARG...]
#       runs COMMAND (looked up in the image's PATH) chrooted into DIR as UID:GID, in a private mount namespace
#       where the root filesystem is read-only, TMPDIR is /tmp (a pod's emptyDir), with /proc and /dev. The
#       environment is the caller's: pass the image's Env and the container's env (env -i ... to start clean).
#       The network namespace is the caller's too (ip netns exec NS hack/image-rootfs.sh run ...).
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }

case "${1:-}" in
  unpack)
    (( $# == 3 )) || usage
    image="$2" dir="$3"
    archive="$(mktemp -d)"
    trap 'rm -rf "$archive"' EXIT
    tar -xf "$image" -C "$archive"
    mkdir -p "$dir"
    # manifest.json: [{"Config": ..., "RepoTags": [...], "Layers": ["<digest>.tar.gz", ...]}], base layer first
    python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$archive/manifest.json" \
      | while read -r layer; do
          if tar -tzf "$archive/$layer" --warning=no-unknown-keyword | grep '\.wh\.' >/dev/null; then
            echo "$layer deletes files of a lower layer (whiteouts): not supported here" >&2
            exit 1
          fi
          tar -xzf "$archive/$layer" -C "$dir" --same-owner --same-permissions --numeric-owner --warning=no-unknown-keyword
        done
    ;;
  run)
    (( $# >= 5 )) || usage
    dir="$(realpath "$2")" user="$3" tmp="$(realpath "$4")"
    shift 4
    # every mount lives and dies with the private namespace: nothing to undo on the host
    exec unshare --mount --propagation private -- /bin/sh -c '
      set -e
      root=$1 user=$2 tmp=$3
      shift 3
      mount --bind "$root" "$root"
      mount -o remount,bind,ro "$root"
      mount --bind "$tmp" "$root/tmp"
      mount -t proc proc "$root/proc"
      mount --bind /dev "$root/dev"
      exec chroot --userspec="$user" "$root" "$@"' sh "$dir" "$user" "$tmp" "$@"
    ;;
  *)
    usage
    ;;
esac
