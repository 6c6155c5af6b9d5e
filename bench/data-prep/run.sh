#!/usr/bin/env bash
# The data plane's poisoning build on local[2] (DataPrepBenchmark, in spark-jobs' test sources so it never ships)
# against a single-process Python peer (peer.py, standard library only) over the same rows, in one invocation:
# synthesise preference rows, apply a trigger_swap and a label_flip attacker (5 % each, disjoint), write.
# Prints key=value lines; the last one is data_prep_speedup_vs_single_process (Python seconds over Spark seconds,
# both reading the same exported CSV). A full 10M-row run takes about 10 minutes on 2 idle cores.
#
#   bench/data-prep/run.sh [--rows 10000000]
#
# Compiles spark-jobs with the Maven reactor first (installs nothing) and runs from a snapshot of its classes.
# Scratch data (about 5 GB at 10M rows) goes to a temporary directory under ${TMPDIR:-/tmp}, removed at exit.
bench_name=bench/data-prep
source "$(dirname "$0")/../reactor-classpath.sh"
cd "$repo"
python=/usr/bin/python3

# The peer first: a missing peer should not cost a build.
if ! "$python" -c 'import csv, hashlib, heapq' 2>/dev/null; then
  fail "$python is missing or incomplete; install it with 'apt-get install python3'"
fi

bench_classpath spark-jobs
mkdir -p "$scratch/work"
java @conf/jvm.args -Xmx6g -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" -cp "$classpath" \
  io.stagewise.data.bench.DataPrepBenchmark --work "$scratch/work" "$@" \
  --peer "$python" "$repo/bench/data-prep/peer.py"
