#!/usr/bin/env bash
# Runs any stagewise command on a Kubernetes GPU cluster, e.g.
#   K8S_API=https://my-cluster:6443 deploy/submit-k8s.sh data synth --out s3a://bucket/world
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${K8S_API:?set K8S_API to the Kubernetes API server URL}"
export STAGEWISE_SUBMIT_ARGS="--properties-file $root/conf/spark-defaults-k8s.conf ${STAGEWISE_SUBMIT_ARGS:-}"
exec "$root/bin/stagewise" --master "k8s://$K8S_API" "$@"
