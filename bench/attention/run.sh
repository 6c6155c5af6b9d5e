#!/usr/bin/env bash
# Attention kernels against each other inside the whole model (AttentionBenchmark, in the trainer's test sources
# so it never ships): forward and backward of one batch per step, one model per kernel, blocks of steps
# alternating between the kernels; medians of CPU and wall milliseconds per step. Options are passed on:
#
#   bench/attention/run.sh [--preset small-cpu] [--batch 16] [--threads 2] [--rounds 8] [--block 5]
#                          [--kernels standard,fused] [--precision fp32] [--packed 0]
#
# Installs nothing; the engine environment is conf/engine-env.sh's, as for bench/trainer.
bench_name=bench/attention
source "$(dirname "$0")/../reactor-classpath.sh"
cd "$repo"
source conf/engine-env.sh
bench_classpath trainer
java @conf/jvm.args -Xmx3g -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "$classpath" io.stagewise.trainer.bench.AttentionBenchmark "$@"
