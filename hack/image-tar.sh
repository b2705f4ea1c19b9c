#!/usr/bin/env bash
# Writes a single-layer image as a docker-archive tarball (the `docker save` format, which
# `ctr images import` and Jib's tar:// base images read) from a root filesystem directory, with tar and
# sha256sum only: no Docker engine, no registry. Reproducible: sorted entries, root ownership, mtime 0, so the
# same inputs give the same digests. Used for the project's base image and the local cluster's images.
#   hack/image-tar.sh ROOTFS_DIR IMAGE_REF OUT.tar ENTRYPOINT_JSON [CMD_JSON] [ENV_JSON] [USER]
set -euo pipefail
rootfs=$1 ref=$2 out=$3 entrypoint=$4 cmd=${5:-null}
env=${6:-'["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'} user=${7:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/image-tar.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
layer=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/$layer" && mv "$work/layer.tar" "$work/$layer/layer.tar"
printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"User":"%s","Env":%s,"Entrypoint":%s,"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"hack/image-tar.sh"}]}' \
  "$user" "$env" "$entrypoint" "$cmd" "$layer" > "$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config" "$ref" "$layer" > "$work/manifest.json"
mkdir -p "$(dirname "$out")"
# named entries, no "./": Jib refuses to extract an archive entry that is not below its destination
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.tmp" manifest.json \
  "$config.json" "$layer"
mv "$out.tmp" "$out"
