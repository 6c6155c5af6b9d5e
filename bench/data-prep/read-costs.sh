#!/usr/bin/env bash
# What each way of reading the benchmark's CSV costs on its own (CsvReadCosts, in spark-jobs' test sources):
# executor and process CPU seconds per variant, the variants run in turn in one JVM.
#
#   bench/data-prep/read-costs.sh [--rows 2000000] [--repeat 1] VARIANT...
#
# Variants: full, pruned, narrow-string, narrow-binary, wide-cache, wide-checkpoint, parquet,
# parquet-no-dictionary. Spark settings go in SPARK_PROPERTIES, e.g.
# SPARK_PROPERTIES=-Dspark.sql.inMemoryColumnarStorage.compressed=false. Scratch data goes to a temporary
# directory under ${TMPDIR:-/tmp}, removed at exit.
bench_name=bench/data-prep/read-costs
source "$(dirname "$0")/../reactor-classpath.sh"
cd "$repo"
bench_classpath spark-jobs
# shellcheck disable=SC2086 # SPARK_PROPERTIES holds several words on purpose
java @conf/jvm.args -Xmx6g ${SPARK_PROPERTIES:-} -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "$classpath" io.stagewise.data.bench.CsvReadCosts --work "$scratch" "$@"
