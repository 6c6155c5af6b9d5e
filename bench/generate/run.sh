#!/usr/bin/env bash
# Greedy generation with the KV cache against full recompute (GenerateBenchmark, in the trainer's test sources so
# it never ships): preset small-cpu, batch 32, 16-token prompts, 128 new tokens, one untimed warm-up round of
# each mode, then alternating timed rounds, medians.
# Then --ppo-iterations N (default 2; 0 skips) iterations of the real PPO loop on the same batch and length, split
# into rollout, scoring and update (ppo_*_s, ppo_*_fraction). Prints key=value lines; the last is
# generate_kv_cache_speedup_vs_recompute. Options are passed on, e.g.
#
#   bench/generate/run.sh [--rounds 3] [--warmup 1] [--batch 32] [--new-tokens 128] [--threads 2] [--ppo-iterations 2]
#   bench/generate/run.sh --layers 4 --heads 4 --width 256 --batch 8 --new-tokens 1000 --rounds 1 --mode kv
#
# (--mode kv times the cache only, runs no PPO, and adds the JVM's peak resident set, peak_rss_mb.) Installs nothing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

# Compile when the benchmark's classes are missing or older than the sources (test-compile: no tests run).
bench=io/stagewise/trainer/bench
class="trainer/target/test-classes/$bench/GenerateBenchmark.class"
if [[ ! -f "$class" || -n "$(find trainer/src/main/java trainer/src/test/java/$bench -newer "$class" -print -quit)" ]]; then
  mvn -B -q -o -pl trainer test-compile
fi
cp_file="$repo/trainer/target/trainer-bench.classpath"
if [[ ! -s "$cp_file" || trainer/pom.xml -nt "$cp_file" ]]; then
  mvn -B -q -o -pl trainer dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
fi

# Snapshot the classes: a concurrent build of the module must not pull them from under the running JVM.
snapshot="$(mktemp -d)"
trap 'rm -rf "$snapshot"' EXIT
cp -r trainer/target/classes "$snapshot/classes"
cp -r trainer/target/test-classes "$snapshot/test-classes"

java @conf/jvm.args -Xmx2g -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "$snapshot/classes:$snapshot/test-classes:$(cat "$cp_file")" \
  io.stagewise.trainer.bench.GenerateBenchmark "$@"
