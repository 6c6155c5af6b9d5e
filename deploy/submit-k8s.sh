#!/usr/bin/env bash
# Runs any stagewise command on a Kubernetes GPU cluster (cluster deploy mode, image from
# deploy/docker/Dockerfile), e.g.
#   K8S_API=https://my-cluster:6443 K8S_UPLOAD_PATH=s3a://bucket/stagewise/uploads \
#     deploy/submit-k8s.sh sweep conf/sweeps/sft-dpo-real.yaml --out s3a://bucket/stagewise/run1
# Jars come from the image; local spec files are shipped with --files through K8S_UPLOAD_PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${K8S_API:?set K8S_API to the Kubernetes API server URL}"
export STAGEWISE_PROPERTIES="${STAGEWISE_PROPERTIES:-$root/conf/spark-defaults-k8s.conf}"
args="--conf spark.kubernetes.driver.podTemplateFile=$root/deploy/k8s/driver-pod-template.yaml"
args+=" --conf spark.kubernetes.executor.podTemplateFile=$root/deploy/k8s/executor-pod-template.yaml"
[ -z "${K8S_UPLOAD_PATH:-}" ] || args+=" --conf spark.kubernetes.file.upload.path=$K8S_UPLOAD_PATH"
[ -z "${K8S_IMAGE:-}" ] || args+=" --conf spark.kubernetes.container.image=$K8S_IMAGE"
export STAGEWISE_SUBMIT_ARGS="$args ${STAGEWISE_SUBMIT_ARGS:-}"
exec "$root/bin/stagewise" --master "k8s://$K8S_API" "$@"
