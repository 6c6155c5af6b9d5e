#!/usr/bin/env bash
# Runs any stagewise command on a YARN GPU cluster (cluster deploy mode), e.g.
#   deploy/submit-yarn.sh sweep conf/sweeps/sft-dpo-real.yaml --out hdfs:///user/me/stagewise/run1
# Local spec files on the command line are shipped with --files; data paths inside specs must be on the
# cluster's file system (hdfs://, s3a://). STAGEWISE_YARN_LIB (see bin/stagewise) avoids re-uploading jars.
#   STAGEWISE_YARN_NATIVES  the archive deploy/yarn/pack-natives.sh made, on the cluster's file system
#                           (e.g. hdfs:///apps/stagewise/natives.tgz): YARN unpacks it once per node as
#                           ./djl-natives in every container, DJL's cache there, so no task extracts libtorch
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STAGEWISE_PROPERTIES="${STAGEWISE_PROPERTIES:-$root/conf/spark-defaults-yarn.conf}"
args="--files $root/deploy/yarn/getGpusResources.sh"
if [ -n "${STAGEWISE_YARN_NATIVES:-}" ]; then
  [[ "$STAGEWISE_YARN_NATIVES" == *://* ]] \
    || { echo "stagewise: STAGEWISE_YARN_NATIVES must name the archive on the cluster's file system" \
      "(hdfs://..., s3a://...), got $STAGEWISE_YARN_NATIVES" >&2; exit 2; }
  # A relative cache: each container's working directory holds the link YARN makes to the unpacked archive.
  args+=" --archives $STAGEWISE_YARN_NATIVES#djl-natives"
  args+=" --conf spark.executorEnv.DJL_CACHE_DIR=./djl-natives"
  args+=" --conf spark.yarn.appMasterEnv.DJL_CACHE_DIR=./djl-natives"
fi
export STAGEWISE_SUBMIT_ARGS="$args ${STAGEWISE_SUBMIT_ARGS:-}"
exec "$root/bin/stagewise" --master yarn "$@"
