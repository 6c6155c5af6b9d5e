"""PyTorch reference for bench/trainer: the same GPT, batch, optimizer and schedule as the Stagewise trainer.

Model (preset small-cpu): pre-LayerNorm GPT-2 block, learned positions, causal attention with a materialised
score matrix and an additive mask (PyTorch 1.13 has no fused attention either), 4x GELU MLP, tied embeddings;
N(0, 0.02) init with residual projections at 0.02 / sqrt(2 * layers). Training: next-token cross entropy,
global-norm clipping at 1.0, AdamW (betas 0.9 / 0.95, eps 1e-8, weight decay 0.1 on matrices and embeddings
only), linear warmup then cosine decay to 10 % of the peak rate. Batches are rows of the token file the Java
side wrote (int32, little-endian, ROWS x (CONTEXT + 1)), drawn epoch by epoch in a seeded permutation.

Prints key=value lines prefixed with "peer_": throughput over the timed steps and the BLAS / thread settings
the process ran with. Standard library + torch only.
"""

import argparse
import contextlib
import ctypes
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, width, heads, context, residual_std):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width, eps=1e-5)
        self.qkv = nn.Linear(width, 3 * width)
        self.attn_proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width, eps=1e-5)
        self.fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)
        for linear, std in ((self.qkv, 0.02), (self.attn_proj, residual_std), (self.fc, 0.02),
                            (self.mlp_proj, residual_std)):
            nn.init.normal_(linear.weight, std=std)
            nn.init.zeros_(linear.bias)
        # Same additive mask as the trainer's MaterializedAttention: a finite large negative above the diagonal.
        self.register_buffer("causal", torch.triu(torch.full((context, context), -1e30), diagonal=1))

    def attention(self, x):
        b, t, c = x.shape
        d = c // self.heads
        q, k, v = self.qkv(x).split(c, dim=2)
        q = q.view(b, t, self.heads, d).transpose(1, 2) * (1.0 / math.sqrt(d))
        k = k.view(b, t, self.heads, d).transpose(1, 2)
        v = v.view(b, t, self.heads, d).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) + self.causal[:t, :t]
        out = scores.softmax(dim=-1) @ v
        return self.attn_proj(out.transpose(1, 2).reshape(b, t, c))

    def forward(self, x):
        x = x + self.attention(self.norm1(x))
        return x + self.mlp_proj(F.gelu(self.fc(self.norm2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, context, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.02)
        residual_std = 0.02 / math.sqrt(2 * layers)
        self.blocks = nn.ModuleList(Block(width, heads, context, residual_std) for _ in range(layers))
        self.final_norm = nn.LayerNorm(width, eps=1e-5)

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
        return F.linear(self.final_norm(x), self.wte.weight)  # tied head


def learning_rate(step, peak, warmup, steps, floor_ratio):
    """Linear warmup to the peak, then cosine decay to floor_ratio * peak at the last step (1-based steps)."""
    if step <= warmup:
        return peak * step / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (floor_ratio + (1 - floor_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def blas_report():
    """The BLAS library this process mapped, and what OpenBLAS says about itself when it is OpenBLAS."""
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and line.strip().endswith(".so.3")
                       or "openblas" in line.lower()})
    libs = [lib for lib in libs if lib.startswith("/")]
    info = {"blas_libraries": ",".join(libs) or "none-mapped"}
    for lib in libs:
        try:
            handle = ctypes.CDLL(lib)
            handle.openblas_get_corename.restype = ctypes.c_char_p
            handle.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_corename"] = handle.openblas_get_corename().decode()
            info["openblas_config"] = handle.openblas_get_config().decode().replace(" ", "_")
            info["openblas_threads"] = str(handle.openblas_get_num_threads())
            break
        except (OSError, AttributeError):
            continue
    real = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    info["libblas_so_3_resolves_to"] = real
    return info


def products_per_second(a, b, min_seconds):
    """a @ b repeated for at least min_seconds after one untimed product (which allocates, picks the kernel)."""
    a @ b
    reps, start = 0, time.perf_counter()
    while True:
        a @ b
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return reps / elapsed


def gemm_gflops(sizes, min_seconds=0.4):
    best = 0.0
    for n in sizes:
        rate = products_per_second(torch.randn(n, n), torch.randn(n, n), min_seconds)
        best = max(best, 2.0 * n ** 3 * rate / 1e9)
    return best


def step_gemm_gflops(shapes, precision, min_seconds=0.25):
    """Rate over one training step's products (batch:m:k:n:count,... from the Java side): the step's FLOPs over
    the summed time of its products, each shape timed once for min_seconds. Also each shape's own rate. At bf16
    the products run under autocast, its casts of the fp32 inputs included, as in training."""
    total_flops, total_seconds, each = 0.0, 0.0, {}
    for item in shapes.split(","):
        batch, m, k, n, count = (int(v) for v in item.split(":"))
        a = torch.randn(m, k) if batch == 1 else torch.randn(batch, m, k)
        b = torch.randn(k, n) if batch == 1 else torch.randn(batch, k, n)
        with precision():
            per_second = products_per_second(a, b, min_seconds)
        flops = 2.0 * batch * m * k * n
        rate = flops * per_second
        each[f"{batch}x{m}x{k}x{n}" if batch > 1 else f"{m}x{k}x{n}"] = f"{rate / 1e9:.1f}"
        total_flops += flops * count
        total_seconds += flops * count / rate
    return total_flops / total_seconds / 1e9, each


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tokens", required=True, help="int32 token rows written by the Java side")
    p.add_argument("--vocab", type=int, default=260)
    p.add_argument("--context", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--warmup-steps", type=int, default=10, help="untimed steps before the timed ones")
    p.add_argument("--steps", type=int, default=100, help="timed steps")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gemm", action="store_true", help="also report this process's best fp32 GEMM rate")
    p.add_argument("--gemm-shapes", help="also report the rate over these products, batch:m:k:n:count,...")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: forward and loss under torch.autocast('cpu', dtype=torch.bfloat16)")
    args = p.parse_args()
    if args.precision == "bf16":
        def precision():
            return torch.autocast("cpu", dtype=torch.bfloat16)
    else:
        precision = contextlib.nullcontext

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    width = args.context + 1
    raw = open(args.tokens, "rb").read()
    rows = torch.frombuffer(bytearray(raw), dtype=torch.int32).view(-1, width).long()
    if int(rows.max()) >= args.vocab or int(rows.min()) < 0:
        sys.exit(f"{args.tokens}: token ids outside [0, {args.vocab})")

    model = Gpt(args.vocab, args.context, args.layers, args.heads, args.width)
    decayed = [q for q in model.parameters() if q.dim() >= 2]
    plain = [q for q in model.parameters() if q.dim() < 2]
    peak_lr, warmup_lr_steps, total = 3e-4, 100, args.warmup_steps + args.steps
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": 0.1},
                                   {"params": plain, "weight_decay": 0.0}],
                                  lr=peak_lr, betas=(0.9, 0.95), eps=1e-8)
    generator = torch.Generator().manual_seed(args.seed)
    order, offset = torch.randperm(len(rows), generator=generator), 0

    def step(number):
        nonlocal order, offset
        if offset + args.batch > len(order):
            order, offset = torch.randperm(len(rows), generator=generator), 0
        batch = rows[order[offset:offset + args.batch]]
        offset += args.batch
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(number, peak_lr, warmup_lr_steps, total, 0.1)
        with precision():
            logits = model(batch[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, args.vocab), batch[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item(), float(norm)

    for s in range(1, args.warmup_steps + 1):
        step(s)
    start = time.perf_counter()
    for s in range(args.warmup_steps + 1, total + 1):
        loss, _ = step(s)
    seconds = time.perf_counter() - start

    tokens = args.steps * args.batch * args.context
    out = {
        "torch_version": torch.__version__,
        "precision": args.precision,
        "parameters": sum(q.numel() for q in model.parameters()),
        "steps": args.steps,
        "seconds": f"{seconds:.3f}",
        "tokens_per_s": f"{tokens / seconds:.1f}",
        "final_loss": f"{loss:.4f}",
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "adamw_foreach": optimizer.defaults.get("foreach"),
    }
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY"):
        out["env_" + var] = os.environ.get(var, "unset")
    out.update(blas_report())
    config = torch.__config__.show()
    out["torch_blas_info"] = next((part.split("=")[1] for part in config.replace(",", " ").split()
                                   if part.startswith("BLAS_INFO=")), "unknown")
    out["torch_cpu_capability"] = next((line.split(":")[1].strip() for line in config.splitlines()
                                        if "CPU capability" in line), "unknown")
    if args.gemm:
        out["gemm_gflops"] = f"{gemm_gflops([128, 512, 2048, 4096]):.1f}"
    if args.gemm_shapes:
        rate, each = step_gemm_gflops(args.gemm_shapes, precision)
        out.update({f"gemm_{name}_gflops": value for name, value in each.items()})
        out["gemm_model_shapes_gflops"] = f"{rate:.1f}"
    for key, value in out.items():
        print(f"peer_{key}={value}")


if __name__ == "__main__":
    main()
