#!/usr/bin/env bash
# Ring all-reduce bus bandwidth against raw loopback TCP (AllReduceBenchmark, in the trainer's test sources so it
# never ships), with bare and with authenticated frames in the same run. Workers are separate JVM processes on
# 127.0.0.1. Then data-parallel training throughput at W = 1 and W = 2 with the same global batch
# (TrainingThroughputBenchmark: workers are threads of one JVM joined by the TCP ring, as co-located Spark tasks
# are, the cores split between them). Prints key=value lines; the last two are allreduce_auth_bw_ratio (bus
# bandwidth with frame authentication over without) and allreduce_bus_bw_fraction_of_loopback (W = 2, 64 MiB, or
# the largest size asked for). A full run takes a few minutes on 2 idle cores.
#
#   STAGEWISE_BENCH_TRAIN="small-cpu 16 8"   training benchmark arguments: preset, global batch, steps
#   STAGEWISE_BENCH_TRAIN=skip               leave the training benchmark out
#
#   bench/allreduce/run.sh [worlds=2,3,4] [sizesMiB=1,4,16,64,256] [bucketMiB=8]
#
# Compiles the trainer with the Maven reactor first (installs nothing) and runs from a snapshot of its classes.
bench_name=bench/allreduce
source "$(dirname "$0")/../reactor-classpath.sh"
cd "$repo"

bench_classpath trainer

# The all-reduce benchmark's last two lines are the headline figures: print the training lines before them.
allreduce="$(java -Xmx1g -cp "$classpath" io.stagewise.trainer.collective.AllReduceBenchmark "$@")"
[[ "$allreduce" == *allreduce_bus_bw_fraction_of_loopback=* ]] \
  || fail "AllReduceBenchmark printed no allreduce_bus_bw_fraction_of_loopback line"
head -n -2 <<<"$allreduce"
if [[ "${STAGEWISE_BENCH_TRAIN:-}" != skip ]]; then
  # shellcheck disable=SC2086
  training="$(java -Xmx2g @conf/jvm.args -cp "$classpath" io.stagewise.trainer.train.TrainingThroughputBenchmark \
    ${STAGEWISE_BENCH_TRAIN:-})"
  grep '=' <<<"$training" || fail "TrainingThroughputBenchmark printed no key=value line"
fi
tail -n 2 <<<"$allreduce"
