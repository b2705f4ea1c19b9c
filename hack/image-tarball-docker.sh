#!/usr/bin/env bash
# The `docker` that Quarkus' Jib extension calls when it builds an image for the local Docker daemon
# (quarkus.jib.docker-executable-name, set in pom.xml). There is no daemon: `docker load` writes the image
# archive Jib pipes in (docker-archive, what `docker load` and `ctr images import` read) to $IMAGE_TARBALL,
# atomically. `docker info` answers the platform Jib asks for. Pushing to a registry
# (-Dquarkus.container-image.push=true) never calls this.
set -euo pipefail

case "${1:-}" in
  info)
    arch="$(uname -m)"
    printf '{"OSType":"linux","Architecture":"%s"}\n' "$arch"
    ;;
  load)
    : "${IMAGE_TARBALL:?IMAGE_TARBALL is not set (quarkus.jib.docker-environment.IMAGE_TARBALL in pom.xml)}"
    mkdir -p "$(dirname "$IMAGE_TARBALL")"
    cat > "$IMAGE_TARBALL.tmp"
    mv "$IMAGE_TARBALL.tmp" "$IMAGE_TARBALL"
    echo "Loaded image archive: $IMAGE_TARBALL"
    ;;
  *)
    echo "$0 stands in for docker during the image build and knows only 'info' and 'load', not: $*" >&2
    exit 1
    ;;
esac
