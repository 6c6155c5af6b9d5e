#!/usr/bin/env bash
# Ring all-reduce bus bandwidth against raw loopback TCP (AllReduceBenchmark, in the trainer's test sources so it
# never ships). Workers are separate JVM processes on 127.0.0.1. Then data-parallel training throughput at W = 1
# and W = 2 with the same global batch (TrainingThroughputBenchmark: workers are threads of one JVM joined by the
# TCP ring, as co-located Spark tasks are, the cores split between them). Prints key=value lines; the last one is
# allreduce_bus_bw_fraction_of_loopback (W = 2, 64 MiB). A full run takes about a minute on 2 cores.
#
#   STAGEWISE_BENCH_TRAIN="small-cpu 16 8"   training benchmark arguments: preset, global batch, steps
#
#   bench/allreduce/run.sh [worlds=2,3,4] [sizesMiB=1,4,16,64,256] [bucketMiB=8]
#
# Uses the compiled classes under trainer/target, building them only when they are missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

collective=io/stagewise/trainer/collective
train=io/stagewise/trainer/train
if [[ ! -f "trainer/target/test-classes/$collective/AllReduceBenchmark.class" \
      || ! -f "trainer/target/test-classes/$train/TrainingThroughputBenchmark.class" \
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
cp -r trainer/target/classes "$snapshot/classes"
cp trainer/target/test-classes/$collective/AllReduceBenchmark*.class "$snapshot/classes/$collective/"
cp trainer/target/test-classes/$train/TrainingThroughputBenchmark*.class "$snapshot/classes/$train/"
classpath="$snapshot/classes:$(cat "$cp_file")"

# The all-reduce benchmark's last line is the headline figure: print the training lines before it.
allreduce="$(java -Xmx1g -cp "$classpath" io.stagewise.trainer.collective.AllReduceBenchmark "$@")"
head -n -1 <<<"$allreduce"
# shellcheck disable=SC2086
java -Xmx2g @conf/jvm.args -cp "$classpath" io.stagewise.trainer.train.TrainingThroughputBenchmark \
  ${STAGEWISE_BENCH_TRAIN:-} | grep '='
tail -n 1 <<<"$allreduce"
