#!/usr/bin/env bash
# Runs any stagewise command on a YARN GPU cluster, e.g.
#   deploy/submit-yarn.sh sweep conf/sweeps/sft-dpo-real.yaml --out hdfs:///user/me/stagewise/run1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STAGEWISE_SUBMIT_ARGS="--properties-file $root/conf/spark-defaults-yarn.conf --files $root/deploy/yarn/getGpusResources.sh ${STAGEWISE_SUBMIT_ARGS:-}"
exec "$root/bin/stagewise" --master yarn "$@"
