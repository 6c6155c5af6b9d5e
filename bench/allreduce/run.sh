#!/usr/bin/env bash
# Ring all-reduce bus bandwidth against raw loopback TCP (AllReduceBenchmark, in the trainer's test sources so it
# never ships). Workers are separate JVM processes on 127.0.0.1. Prints key=value lines; the last one is
# allreduce_bus_bw_fraction_of_loopback (W = 2, 64 MiB). A full run takes well under a minute on 2 cores.
#
#   bench/allreduce/run.sh [worlds=2,3,4] [sizesMiB=1,4,16,64,256] [bucketMiB=8]
#
# Uses the compiled classes under trainer/target, building them only when they are missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

collective=io/stagewise/trainer/collective
if [[ ! -f "trainer/target/test-classes/$collective/AllReduceBenchmark.class" \
      || ! -f "trainer/target/classes/$collective/RingAllReduce.class" ]]; then
  mvn -B -q -o -pl trainer -DskipTests install
fi
cp_file="$repo/trainer/target/allreduce-bench.classpath"
if [[ ! -s "$cp_file" ]]; then
  mvn -B -q -o -pl trainer dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
fi

# Snapshot the classes: a concurrent build of the module must not pull them from under the running workers.
snapshot="$(mktemp -d)"
trap 'rm -rf "$snapshot"' EXIT
mkdir -p "$snapshot/classes/$collective"
cp trainer/target/classes/$collective/*.class trainer/target/test-classes/$collective/AllReduceBenchmark*.class \
  "$snapshot/classes/$collective/"

java -Xmx1g -cp "$snapshot/classes:$(cat "$cp_file")" io.stagewise.trainer.collective.AllReduceBenchmark "$@"
