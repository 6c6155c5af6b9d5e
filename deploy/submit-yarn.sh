#!/usr/bin/env bash
# Runs any stagewise command on a YARN GPU cluster (cluster deploy mode), e.g.
#   deploy/submit-yarn.sh sweep conf/sweeps/sft-dpo-real.yaml --out hdfs:///user/me/stagewise/run1
# Local spec files on the command line are shipped with --files; data paths inside specs must be on the
# cluster's file system (hdfs://, s3a://). STAGEWISE_YARN_LIB (see bin/stagewise) avoids re-uploading jars.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STAGEWISE_PROPERTIES="${STAGEWISE_PROPERTIES:-$root/conf/spark-defaults-yarn.conf}"
export STAGEWISE_SUBMIT_ARGS="--files $root/deploy/yarn/getGpusResources.sh ${STAGEWISE_SUBMIT_ARGS:-}"
exec "$root/bin/stagewise" --master yarn "$@"
