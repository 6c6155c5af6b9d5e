# Environment for every JVM that runs libtorch, sourced by bin/stagewise and the benchmarks; each variable
# keeps a value the caller already set. The Maven test plugins (pom.xml) and the cluster properties
# (conf/spark-defaults-*.conf, spark.executorEnv.*) set the same values.
#
# OMP_WAIT_POLICY: libtorch's OpenMP threads spin while waiting; beside Spark's threads (and each other) on a
# shared CPU that starves both.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# glibc's allocator holds libtorch's tensors. By default it gives a freed per-thread heap or the top of one
# back to the kernel, and a training step, which frees nearly all its activations at its end, then faults the
# same memory in again page by page in the next step: ~10k faults a step in the quickstart's SFT, a third of
# its time on a virtual machine (docs/architecture.md, "Tensor memory"). A 64 MiB top pad (a whole heap)
# keeps every heap and its top; the mmap threshold, which fixing the pad freezes at 128 KiB, goes to glibc's
# 32 MiB maximum so that activations come from the heaps; the trim threshold only lets a main-arena top
# beyond 16 GiB go back.
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-67108864}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-17179869184}"
# STAGEWISE_MKL_AVX512 (on unless set to off) is read by the trainer itself, in every JVM, so it needs no
# default here: on an AMD CPU with AVX-512 it lets libtorch's MKL take its AVX-512 kernels
# (docs/architecture.md, "MKL on AMD CPUs").
