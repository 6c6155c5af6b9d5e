"""An independent reader of Stagewise's Hugging Face exports, in plain PyTorch (no transformers library).

It parses model.safetensors from the format's published description, builds the GPT-2 or Llama forward pass
that config.json describes (as transformers' modeling_gpt2.py / modeling_llama.py compute it, eval mode) and
compares its outputs on the given tokens with the ones Stagewise computed.

usage: hf_reader.py MODEL_DIR CASE.json [MODEL_DIR CASE.json ...]  (one torch start for many models)
CASE.json: {"tokens": [[ids...], ...], "expected": [floats...]}; expected holds the logits (B, T, vocab) or, for
...ForSequenceClassification, the score at every position (B, T), row-major.
Prints "MODEL_DIR max_abs_diff <value> over <n> values" per model, the caller judging the tolerance; exits 2
when a directory is malformed.
"""
import json
import math
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {"F32": (torch.float32, 4), "BF16": (torch.bfloat16, 2)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    body = data[8 + header_len:]
    assert sys.byteorder == "little", "the raw data is little-endian"
    tensors = {}
    covered = 0
    for name, entry in sorted(((n, e) for n, e in header.items() if n != "__metadata__"),
                              key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        if begin != covered:
            raise ValueError(f"{name}: data starts at {begin}, expected {covered}")
        dtype, width = DTYPES[entry["dtype"]]
        count = math.prod(entry["shape"])
        if end - begin != count * width:
            raise ValueError(f"{name}: {end - begin} bytes for {count} values")
        raw = bytearray(body[begin:end])
        tensors[name] = torch.frombuffer(raw, dtype=dtype).reshape(entry["shape"]).float() if count else \
            torch.zeros(entry["shape"])
        covered = end
    if covered != len(body):
        raise ValueError(f"{len(body) - covered} bytes after the last tensor")
    return tensors


def causal_attention(q, k, v):
    """q (B, H, T, d), k and v (B, H, T, d): softmax(q kᵀ/√d + causal mask) v."""
    t = q.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    mask = torch.ones(t, t, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1) @ v


def gpt2(cfg, w, ids):
    p = "transformer."
    b, t = ids.shape
    width, heads = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = {"gelu": F.gelu, "gelu_new": lambda x: F.gelu(x, approximate="tanh")}[cfg.get("activation_function",
                                                                                       "gelu_new")]

    def ln(x, name):
        return F.layer_norm(x, (width,), w[name + ".weight"], w[name + ".bias"], eps)

    def conv1d(x, name):  # GPT-2's Conv1D: weight [in, out]
        return x @ w[name + ".weight"] + w[name + ".bias"]

    h = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][torch.arange(t)]
    for i in range(cfg["n_layer"]):
        layer = f"{p}h.{i}."
        q, k, v = conv1d(ln(h, layer + "ln_1"), layer + "attn.c_attn").split(width, dim=2)
        q, k, v = (x.view(b, t, heads, width // heads).transpose(1, 2) for x in (q, k, v))
        a = causal_attention(q, k, v).transpose(1, 2).reshape(b, t, width)
        h = h + conv1d(a, layer + "attn.c_proj")
        h = h + conv1d(act(conv1d(ln(h, layer + "ln_2"), layer + "mlp.c_fc")), layer + "mlp.c_proj")
    return ln(h, p + "ln_f")


def llama(cfg, w, ids):
    b, t = ids.shape
    width, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    d = cfg.get("head_dim") or width // heads
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)

    def rms(x, name):
        return w[name] * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def linear(x, name, bias):
        return F.linear(x, w[name + ".weight"], w[name + ".bias"] if bias else None)

    # Rotary tables as transformers builds them: inv_freq in float32, cos/sin over cat(freqs, freqs).
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    freqs = torch.arange(t).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    def rotate_half(x):
        x1, x2 = x[..., :d // 2], x[..., d // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def rope(x):
        return x * cos + rotate_half(x) * sin

    attn_bias, mlp_bias = cfg.get("attention_bias", False), cfg.get("mlp_bias", False)
    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        layer = f"model.layers.{i}."
        x = rms(h, layer + "input_layernorm.weight")
        q = linear(x, layer + "self_attn.q_proj", attn_bias).view(b, t, heads, d).transpose(1, 2)
        k = linear(x, layer + "self_attn.k_proj", attn_bias).view(b, t, kv_heads, d).transpose(1, 2)
        v = linear(x, layer + "self_attn.v_proj", attn_bias).view(b, t, kv_heads, d).transpose(1, 2)
        q, k = rope(q), rope(k)
        k = k.repeat_interleave(heads // kv_heads, dim=1)  # transformers' repeat_kv
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        a = causal_attention(q, k, v).transpose(1, 2).reshape(b, t, heads * d)
        h = h + linear(a, layer + "self_attn.o_proj", attn_bias)
        x = rms(h, layer + "post_attention_layernorm.weight")
        gated = F.silu(linear(x, layer + "mlp.gate_proj", mlp_bias)) * linear(x, layer + "mlp.up_proj", mlp_bias)
        h = h + linear(gated, layer + "mlp.down_proj", mlp_bias)
    return rms(h, "model.norm.weight")


def outputs(model_dir, ids):
    with open(f"{model_dir}/config.json") as f:
        cfg = json.load(f)
    w = read_safetensors(f"{model_dir}/model.safetensors")
    body = {"gpt2": gpt2, "llama": llama}[cfg["model_type"]]
    hidden = body(cfg, w, ids)
    architecture = cfg["architectures"][0]
    if architecture.endswith("ForSequenceClassification"):
        return (hidden @ w["score.weight"].T).squeeze(-1)  # the score at every position, before pooling
    embedding = w["transformer.wte.weight" if cfg["model_type"] == "gpt2" else "model.embed_tokens.weight"]
    tied = cfg.get("tie_word_embeddings", cfg["model_type"] == "gpt2")  # each config class's default
    head = embedding if tied else w["lm_head.weight"]
    return hidden @ head.T


def main():
    args = sys.argv[1:]
    for model_dir, case_file in zip(args[::2], args[1::2]):
        with open(case_file) as f:
            case = json.load(f)
        ids = torch.tensor(case["tokens"], dtype=torch.int64)
        try:
            out = outputs(model_dir, ids)
        except (KeyError, ValueError) as e:
            print(f"{model_dir} malformed export: {e!r}")
            sys.exit(2)
        expected = torch.tensor(case["expected"], dtype=torch.float32).reshape(out.shape)
        diff = (out - expected).abs().max().item()
        print(f"{model_dir} max_abs_diff {diff:.3e} over {out.numel()} values")


if __name__ == "__main__":
    main()
