#!/usr/bin/env bash
# Webhook benchmark: review latency/throughput over HTTPS and pod-create latency through the real API server
# with vs without the webhook. Writes bench/results/webhook.md. Not part of ./mvnw verify (surefire excludes
# io/keepalive/bench; -Dtest overrides that exclusion). Knobs: -Dbench.clients=8 -Dbench.reviews=20000
# -Dbench.warmup=5000 -Dbench.creates=200
set -euo pipefail
cd "$(dirname "$0")/.."
# No -Dsurefire.failIfNoSpecifiedTests=false: if WebhookBenchmark is renamed or moved, surefire fails ("No tests
# matching pattern") instead of the script succeeding without measuring anything.
./mvnw -B -ntp test -Dtest=WebhookBenchmark \
  -Dquarkus.log.category.\"io.keepalive\".level=INFO "$@"
