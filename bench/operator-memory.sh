#!/usr/bin/env bash
# Heap the operator's pod informer holds per pod: SlimPodStore versus whole pods, against a real
# kube-apiserver. Writes bench/results/operator-memory.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_DIR="$(bash hack/ensure-tools.sh)"
./mvnw -B -ntp -q -DskipTests test-compile
./mvnw -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
java -Xmx2g -XX:+UseSerialGC -Dtests.tools.dir="$TOOLS_DIR" \
  -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.keepalive.bench.PodCacheMemoryBench "${1:-2000}" bench/results/operator-memory.md
