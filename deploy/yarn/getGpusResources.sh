#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs this executor may use as Spark's resource JSON,
#   {"name": "gpu", "addresses": ["0", "1"]}
# Honours CUDA_VISIBLE_DEVICES when YARN or the container runtime has narrowed the visible devices.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  ids=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n')
else
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
addresses=$(echo "$ids" | sed -e '/^\s*$/d' -e 's/^\s*//' -e 's/\s*$//' -e 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
