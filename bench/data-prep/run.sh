#!/usr/bin/env bash
# The data plane's poisoning build on local[2] (DataPrepBenchmark, in spark-jobs' test sources so it never ships)
# against a single-process Python peer (peer.py, standard library only) over the same rows, in one invocation:
# synthesise preference rows, apply a trigger_swap and a label_flip attacker (5 % each, disjoint), write.
# Prints key=value lines; the last one is data_prep_speedup_vs_single_process (Python seconds over Spark seconds,
# both reading the same exported CSV). A full 10M-row run takes about 10 minutes on 2 idle cores.
#
#   bench/data-prep/run.sh [--rows 10000000]
#
# Installs nothing. Scratch data (about 5 GB at 10M rows) goes to a temporary directory under ${TMPDIR:-/tmp},
# removed at exit.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
python=/usr/bin/python3

if ! "$python" -c 'import csv, hashlib, heapq' 2>/dev/null; then
  echo "bench/data-prep: $python is missing or incomplete; install it with 'apt-get install python3'" >&2
  exit 1
fi

# Compile when the benchmark's class is missing or older than its source (test-compile: no tests run).
bench=io/stagewise/data/bench
class="spark-jobs/target/test-classes/$bench/DataPrepBenchmark.class"
if [[ ! -f "$class" || -n "$(find "spark-jobs/src/test/java/$bench" -newer "$class" -print -quit)" ]]; then
  mvn -B -q -o -pl spark-jobs test-compile
fi
cp_file="$repo/spark-jobs/target/data-prep-bench.classpath"
if [[ ! -s "$cp_file" || spark-jobs/pom.xml -nt "$cp_file" ]]; then
  mvn -B -q -o -pl spark-jobs dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" \
    >/dev/null
fi

# Snapshot the benchmark's classes: a concurrent build of the module must not pull them from under the JVM.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/classes/$bench" "$scratch/work"
cp spark-jobs/target/test-classes/$bench/*.class "$scratch/classes/$bench/"

java @conf/jvm.args -Xmx6g -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "$scratch/classes:$(cat "$cp_file")" \
  io.stagewise.data.bench.DataPrepBenchmark --work "$scratch/work" "$@" \
  --peer "$python" "$repo/bench/data-prep/peer.py"
