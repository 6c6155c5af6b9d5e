#!/usr/bin/env bash
# The Stagewise trainer (TrainerBenchmark, in the trainer's test sources so it never ships) against a PyTorch
# reference (peer.py) on the same model (preset small-cpu), batch (16 x 128) and optimizer, at fp32 and at bf16
# (the peer under torch.autocast), alternating rounds in one invocation, medians; plus each side's GEMM rate over
# one training step's own products at each precision, a short operator profile of the trainer and a token-loading
# row (hand Parquet decoder against Arrow's, read and batched).
# Prints key=value lines; the fp32 block ends with trainer_flops_fraction_of_gemm_at_model_shapes, and the last
# line is trainer_bf16_speedup_vs_fp32. A full run takes about 5-8 minutes on 2 idle cores.
#
#   bench/trainer/run.sh [--preset small-cpu] [--batch 16] [--threads 2] [--rounds 3] [--warmup 10] [--steps 100]
#                        [--profile-steps 30] [--precisions fp32,bf16] [--loading-rows 100000]
#                        [--attention standard|chunked|fused]   (the trainer's kernel; the peer's is materialised)
#
# Installs nothing: the peer needs Debian's python3-torch and OpenBLAS (see README.md); the trainer is compiled
# with the Maven reactor and run from a snapshot of its classes. Both sides run 2 threads.
# OPENBLAS_CORETYPE and the thread counts are set for the peer process only. Both processes get the engine
# environment bin/stagewise gives a user's run (conf/engine-env.sh: OMP_WAIT_POLICY, glibc's allocator), each
# variable unless the caller set it; STAGEWISE_ENGINE_ENV=off leaves it out, to measure what it gains.
bench_name=bench/trainer
source "$(dirname "$0")/../reactor-classpath.sh"
cd "$repo"
if [[ "${STAGEWISE_ENGINE_ENV:-on}" != off ]]; then
  source conf/engine-env.sh
fi
python=/usr/bin/python3
threads=2
# Both sides run the same number of threads: the peer's OpenMP and OpenBLAS pools are sized from --threads too.
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  if [[ "${args[i]}" == --threads ]]; then
    threads="${args[i + 1]}"
  fi
done

if ! "$python" -c 'import torch' 2>/dev/null; then
  fail "the PyTorch peer is missing: $python cannot import torch; install it with" \
       "'apt-get install python3-torch libopenblas0-pthread' (see bench/trainer/README.md)"
fi

# Which BLAS Debian's torch will load: libblas.so.3 is chosen by update-alternatives. Detected, never changed.
blas="$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}' || true)"
blas="${blas:-$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo none)}"
echo "peer_libblas_alternative=$blas"
if [[ "$blas" != *openblas* ]]; then
  echo "bench/trainer: WARNING: libblas.so.3 is not OpenBLAS ($blas); the peer will run ~25x slower and the" \
       "ratio means nothing. Install libopenblas0-pthread and select it with update-alternatives." >&2
fi

# OpenBLAS 0.3.21 does not know recent cores (it falls back to Haswell kernels, or worse on a virtual CPU):
# name the widest kernel family the CPU flags allow, unless the caller chose one in PEER_OPENBLAS_CORETYPE (an
# OPENBLAS_CORETYPE in the caller's environment is overridden: it may have been set for another machine).
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { [[ "$flags" == *" $1 "* ]]; }
coretype="${PEER_OPENBLAS_CORETYPE:-}"
if [[ -z "$coretype" ]]; then
  if has avx512f && has avx512bw && has avx512vl && has avx512dq; then
    coretype=SKYLAKEX
  elif has avx2 && has fma; then
    coretype=HASWELL
  fi
fi
echo "peer_openblas_coretype_chosen=${coretype:-openblas-default}"
peer_env=(env -u OPENBLAS_CORETYPE OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads)
if [[ -n "$coretype" ]]; then
  peer_env+=(OPENBLAS_CORETYPE="$coretype")
fi

bench_classpath trainer
java @conf/jvm.args -Xmx2g -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "$classpath" io.stagewise.trainer.bench.TrainerBenchmark --work "$scratch/work" --threads "$threads" "$@" \
  --peer "${peer_env[@]}" "$python" "$repo/bench/trainer/peer.py"
