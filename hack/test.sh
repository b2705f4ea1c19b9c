#!/usr/bin/env bash
# Runs every test tier: unit, apiserver (real etcd + kube-apiserver), netns (real kernel, as root), and the
# packaging checks (real helm and kubectl). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/prereqs.sh
./mvnw -B -ntp verify "$@"
