#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/nn-attention tests.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_attention.py

Writes packages/nn-attention/test/fixtures/attention.json, replayed by packages/nn-attention/test/reference.test.ts.
The output is deterministic: every case draws its module init, inputs and cotangents from its own seed (derived
from the case name), so adding or reordering cases leaves the others byte-identical. See tools/reference/README.md
("Attention") for the file format.

Cases (the module kinds of the fixture):
  additive      Bahdanau's score v^T tanh(W_s s + W_h h_j) composed in torch (Tensorloom's formula and names)
  luong         Luong's dot / general / concat scores, composed likewise
  sdpa          softmax(Q K^T / sqrt(d) + mask) V composed in torch (torch 1.13 has no F.scaled_dot_product_attention)
  mha           torch.nn.MultiheadAttention
  encoderLayer  torch.nn.TransformerEncoderLayer
  decoderLayer  torch.nn.TransformerDecoderLayer
  transformer   torch.nn.Transformer
Each records the state dict, the inputs and masks, the outputs, one cotangent R_k per output and the gradients of
sum_k sum(output_k * R_k) w.r.t. every float input and every parameter. Modules run in training mode with dropout
0, so PyTorch never takes its fused "fast path" (which needs eval mode and no grad). As in generate_rnn.py the
reference is computed in float64 from exact float32 values and each case is re-run in float32 PyTorch, which must
agree within the test tolerance (rtol 1e-4, atol 1e-5). No case masks every key of a query: PyTorch gives NaN there
(Tensorloom gives zeros, tested separately).
"""

from __future__ import annotations

import copy
import os
import sys
import zlib

import torch

from fixture_io import write_cases
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_ops import close, encode, fnum  # noqa: E402  (shared number encoding and tolerance check)

SEED = 20240617
OUT_PATH = os.path.join("packages", "nn-attention", "test", "fixtures", "attention.json")
NEG_INF = float("-inf")

# Sizes: small enough to keep the fixture compact; distinct where a transposition could hide.
B, T, S, E, H, FF = 2, 3, 4, 8, 2, 16


def encode_ref(t: torch.Tensor) -> dict:
    """A float64 reference (output or gradient) to 6 significant digits (200x finer than the test's rtol)."""
    return {"shape": list(t.shape), "data": [fnum(v, 6) for v in t.detach().contiguous().flatten().tolist()]}


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to 4 decimals, then to float32, and hold the result as float64 (exact float32 values)."""
    return torch.round(t.double() * 1e4).div(1e4).float().double()


class Rand:
    def __init__(self, seed: int):
        self.gen = torch.Generator().manual_seed(seed)

    def randn(self, *shape, scale=1.0) -> torch.Tensor:
        return f32(torch.randn(tuple(shape), generator=self.gen, dtype=torch.float64) * scale)

    def uniform(self, lo, hi, *shape) -> torch.Tensor:
        return f32(torch.rand(tuple(shape), generator=self.gen, dtype=torch.float64) * (hi - lo) + lo)


# --------------------------------------------------------------------------------------------
# Masks (bool: True = masked, PyTorch's MultiheadAttention convention; the additive/Luong "mask" is
# the nn-rnn hook's, True = real token).
# --------------------------------------------------------------------------------------------


def padding(lengths, total) -> torch.Tensor:
    """[B, total] bool, True at the padded positions s >= lengths[b]."""
    return torch.tensor([[s >= n for s in range(total)] for n in lengths])


def causal_bool(t, s) -> torch.Tensor:
    return torch.ones(t, s, dtype=torch.bool).triu(1)


# A [T, S] bool attention mask with one or two masked keys per row, never a whole row.
ATTN_BOOL = torch.tensor([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]], dtype=torch.bool)
# The padding of the keys: sequence 0 full, sequence 1 of length 2 (keys 2 and 3 padded).
KPM = padding([S, 2], S)


# --------------------------------------------------------------------------------------------
# Torch compositions of Tensorloom's additive and Luong attention (same names, PyTorch Linear init).
# --------------------------------------------------------------------------------------------


class Additive(nn.Module):
    def __init__(self, query_size, key_size, hidden_size, bias=False):
        super().__init__()
        self.query_proj = nn.Linear(query_size, hidden_size, bias=False)
        self.key_proj = nn.Linear(key_size, hidden_size, bias=bias)
        self.v = nn.Linear(hidden_size, 1, bias=False)

    def forward(self, query, keys, mask):
        q3 = query.unsqueeze(1) if query.dim() == 2 else query  # [B, T, Q]
        energy = torch.tanh(self.query_proj(q3).unsqueeze(2) + self.key_proj(keys).unsqueeze(1))  # [B, T, S, A]
        scores = self.v(energy).squeeze(-1)  # [B, T, S]
        return finish_memory(scores, keys, mask, query.dim() == 2)


class Luong(nn.Module):
    def __init__(self, score, query_size, key_size, hidden_size=None):
        super().__init__()
        self.score = score
        hidden_size = hidden_size or query_size
        if score == "general":
            self.key_proj = nn.Linear(key_size, query_size, bias=False)
        if score == "concat":
            self.query_proj = nn.Linear(query_size, hidden_size, bias=False)
            self.key_proj = nn.Linear(key_size, hidden_size, bias=False)
            self.v = nn.Linear(hidden_size, 1, bias=False)

    def forward(self, query, keys, mask):
        q3 = query.unsqueeze(1) if query.dim() == 2 else query  # [B, T, Q]
        if self.score == "dot":
            scores = q3 @ keys.transpose(1, 2)
        elif self.score == "general":
            scores = q3 @ self.key_proj(keys).transpose(1, 2)
        else:
            energy = torch.tanh(self.query_proj(q3).unsqueeze(2) + self.key_proj(keys).unsqueeze(1))
            scores = self.v(energy).squeeze(-1)
        return finish_memory(scores, keys, mask, query.dim() == 2)


def finish_memory(scores, keys, mask, one_step):
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(1), NEG_INF)  # mask: True = real token
    weights = torch.softmax(scores, dim=-1)  # [B, T, S]
    context = weights @ keys  # [B, T, K]
    return (context.squeeze(1), weights.squeeze(1)) if one_step else (context, weights)


def sdpa(q, k, v, attn_mask=None, is_causal=False):
    """softmax(q k^T / sqrt(d) + mask) v; bool masks are True = masked; is_causal is top-left aligned."""
    scores = (q / (q.shape[-1] ** 0.5)) @ k.transpose(-2, -1)
    if is_causal:
        scores = scores.masked_fill(causal_bool(q.shape[-2], k.shape[-2]), NEG_INF)
    if attn_mask is not None:
        scores = scores.masked_fill(attn_mask, NEG_INF) if attn_mask.dtype == torch.bool else scores + attn_mask
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


# --------------------------------------------------------------------------------------------
# Modules from Tensorloom configs
# --------------------------------------------------------------------------------------------


def build(kind: str, config: dict) -> nn.Module | None:
    if kind == "additive":
        return Additive(config["querySize"], config["keySize"], config["hiddenSize"], config.get("bias", False))
    if kind == "luong":
        return Luong(config["score"], config["querySize"], config["keySize"], config.get("hiddenSize"))
    if kind == "sdpa":
        return None
    if kind == "mha":
        return nn.MultiheadAttention(
            config["embedDim"],
            config["numHeads"],
            bias=config.get("bias", True),
            batch_first=config.get("batchFirst", False),
            kdim=config.get("kdim"),
            vdim=config.get("vdim"),
        )
    layer = dict(
        d_model=config["dModel"],
        nhead=config["nhead"],
        dim_feedforward=config["dimFeedforward"],
        dropout=config["dropout"],
        activation=config.get("activation", "relu"),
        batch_first=config.get("batchFirst", False),
        norm_first=config.get("normFirst", False),
    )
    if kind == "encoderLayer":
        return nn.TransformerEncoderLayer(**layer)
    if kind == "decoderLayer":
        return nn.TransformerDecoderLayer(**layer)
    if kind == "transformer":
        return nn.Transformer(
            num_encoder_layers=config["numEncoderLayers"], num_decoder_layers=config["numDecoderLayers"], **layer
        )
    raise ValueError(kind)


def call(kind: str, module, x: dict, masks: dict, args: dict):
    """Runs a case; returns the list of outputs (the fixture's order)."""
    if kind in ("additive", "luong"):
        return list(module(x["query"], x["keys"], masks.get("mask")))
    if kind == "sdpa":
        return list(sdpa(x["q"], x["k"], x["v"], masks.get("attnMask"), args.get("isCausal", False)))
    if kind == "mha":
        query = x["query"]
        key = x.get("key", query)
        value = x.get("value", key)
        need = args.get("needWeights", True)
        out, w = module(
            query,
            key,
            value,
            key_padding_mask=masks.get("keyPaddingMask"),
            attn_mask=masks.get("attnMask"),
            need_weights=need,
            average_attn_weights=args.get("averageAttnWeights", True),
        )
        return [out, w] if need else [out]
    if kind == "encoderLayer":
        return [module(x["src"], src_mask=masks.get("srcMask"), src_key_padding_mask=masks.get("srcKeyPaddingMask"))]
    if kind == "decoderLayer":
        return [
            module(
                x["tgt"],
                x["memory"],
                tgt_mask=masks.get("tgtMask"),
                memory_mask=masks.get("memoryMask"),
                tgt_key_padding_mask=masks.get("tgtKeyPaddingMask"),
                memory_key_padding_mask=masks.get("memoryKeyPaddingMask"),
            )
        ]
    if kind == "transformer":
        return [
            module(
                x["src"],
                x["tgt"],
                src_mask=masks.get("srcMask"),
                tgt_mask=masks.get("tgtMask"),
                memory_mask=masks.get("memoryMask"),
                src_key_padding_mask=masks.get("srcKeyPaddingMask"),
                tgt_key_padding_mask=masks.get("tgtKeyPaddingMask"),
                memory_key_padding_mask=masks.get("memoryKeyPaddingMask"),
            )
        ]
    raise ValueError(kind)


def run(kind, module, inputs: dict, masks: dict, args: dict, cots, dtype):
    """Outputs, and with cotangents the grads of sum_k sum(out_k * R_k) w.r.t. the inputs and the parameters."""
    m = copy.deepcopy(module).to(dtype) if module is not None else None
    leaves = {k: v.to(dtype).clone().requires_grad_(True) for k, v in inputs.items()}
    cast = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in masks.items()}
    outs = call(kind, m, leaves, cast, args)
    if cots is None:
        return outs, None, None
    params = list(m.named_parameters()) if m is not None else []
    wrt = list(leaves.values()) + [p for _, p in params]
    loss = sum((o * c.to(dtype)).sum() for o, c in zip(outs, cots))
    gs = torch.autograd.grad(loss, wrt, allow_unused=True)
    gs = [torch.zeros_like(w) if g is None else g for w, g in zip(wrt, gs)]
    g_inputs = dict(zip(leaves.keys(), gs[: len(leaves)]))
    g_params = {name: g for (name, _), g in zip(params, gs[len(leaves) :])}
    return outs, g_inputs, g_params


# --------------------------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------------------------

CASES: list[dict] = []
NAMES: set[str] = set()
COUNTS: dict[str, int] = {}
WARNINGS: list[str] = []


def add(kind: str, label: str, config: dict, inputs: dict, masks: dict | None = None, args: dict | None = None):
    """One case. `inputs` maps names to shapes (random exact-float32 values are drawn); masks are given."""
    masks = masks or {}
    args = args or {}
    name = f"{kind}/{label}"
    assert name not in NAMES, name
    NAMES.add(name)
    seed = (SEED + zlib.crc32(name.encode())) % 2**63
    torch.manual_seed(seed)  # the module's init draws from the global generator
    rand = Rand(seed)
    module = build(kind, config)
    if module is not None:
        module.train()  # dropout is 0; training mode keeps PyTorch off its fused fast paths
        with torch.no_grad():
            for pname, p in module.named_parameters():
                # PyTorch starts biases at 0 and LayerNorm at (1, 0): perturb them so they are tested too.
                leaf = pname.split(".")[-1]
                if "bias" in leaf or (".norm" in f".{pname}" and leaf == "weight"):
                    p.add_(torch.randn(p.shape, generator=rand.gen) * 0.2)
                p.copy_(f32(p))
    x = {k: rand.randn(*shape) for k, shape in inputs.items()}

    outs64, _, _ = run(kind, module, x, masks, args, None, torch.float64)
    cots = [rand.randn(*o.shape) for o in outs64]
    outs64, gi64, gp64 = run(kind, module, x, masks, args, cots, torch.float64)
    outs32, gi32, gp32 = run(kind, module, x, masks, args, cots, torch.float32)
    for k, (a, b) in enumerate(zip(outs64, outs32)):
        assert torch.isfinite(a).all(), f"{name}: output {k} is not finite"
        if not close(a.detach(), b.detach()):
            WARNINGS.append(f"{name}: float32 torch output {k} differs from the float64 reference beyond tolerance")
    for group64, group32, what in ((gi64, gi32, "input"), (gp64, gp32, "param")):
        for k in group64:
            if not close(group64[k], group32[k]):
                WARNINGS.append(f"{name}: float32 torch grad of {what} {k} differs from the float64 reference")

    state = module.state_dict() if module is not None else {}
    CASES.append(
        {
            "name": name,
            "kind": kind,
            "config": config,
            "stateDictKeys": list(state.keys()),
            "stateDict": {k: encode(v, exact_f32=True) for k, v in state.items()},
            "inputs": {k: encode(v, exact_f32=True) for k, v in x.items()},
            "masks": {k: encode(v, exact_f32=True) for k, v in masks.items()},
            "args": args,
            "outputs": [encode_ref(o) for o in outs64],
            "cotangents": [encode(c, exact_f32=True, with_dtype=False) for c in cots],
            "grads": {
                "inputs": {k: encode_ref(g) for k, g in gi64.items()},
                "params": {k: encode_ref(g) for k, g in gp64.items()},
            },
        }
    )
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------

Q, K, A = 5, 6, 7  # query, key and hidden widths of the recurrent-decoder attention
REAL = ~padding([S, 2], S)  # the hook's mask: True at real tokens (sequence 1 has 2)


def memory_attention():
    add("additive", "one step, mask", {"querySize": Q, "keySize": K, "hiddenSize": A}, {"query": (B, Q), "keys": (B, S, K)}, {"mask": REAL})
    add("additive", "one step, no mask", {"querySize": Q, "keySize": K, "hiddenSize": A}, {"query": (B, Q), "keys": (B, S, K)})
    add("additive", "bias, T steps, mask", {"querySize": Q, "keySize": K, "hiddenSize": A, "bias": True}, {"query": (B, T, Q), "keys": (B, S, K)}, {"mask": REAL})
    add("luong", "dot, one step, mask", {"score": "dot", "querySize": K, "keySize": K}, {"query": (B, K), "keys": (B, S, K)}, {"mask": REAL})
    add("luong", "general, one step, mask", {"score": "general", "querySize": Q, "keySize": K}, {"query": (B, Q), "keys": (B, S, K)}, {"mask": REAL})
    add("luong", "general, T steps, no mask", {"score": "general", "querySize": Q, "keySize": K}, {"query": (B, T, Q), "keys": (B, S, K)})
    add("luong", "concat, one step, mask", {"score": "concat", "querySize": Q, "keySize": K, "hiddenSize": A}, {"query": (B, Q), "keys": (B, S, K)}, {"mask": REAL})


def scaled_dot_product():
    D, DV = 4, 5
    qkv = {"q": (B, H, T, D), "k": (B, H, S, D), "v": (B, H, S, DV)}
    square = {"q": (B, H, S, D), "k": (B, H, S, D), "v": (B, H, S, DV)}
    pad = KPM.view(B, 1, 1, S)
    add("sdpa", "no mask", {}, qkv)
    add("sdpa", "causal T<S (top-left)", {}, qkv, args={"isCausal": True})
    add("sdpa", "causal square", {}, square, args={"isCausal": True})
    add("sdpa", "padding [B,1,1,S]", {}, qkv, {"attnMask": pad})
    add("sdpa", "padding and causal", {}, square, {"attnMask": pad}, {"isCausal": True})
    add("sdpa", "bool mask [T,S]", {}, qkv, {"attnMask": ATTN_BOOL})
    float_mask = f32(torch.rand(T, S, generator=torch.Generator().manual_seed(7), dtype=torch.float64) * -2)
    float_mask[0, 3] = NEG_INF
    add("sdpa", "float additive mask [T,S]", {}, qkv, {"attnMask": float_mask})
    add("sdpa", "keys shared by heads [B,1,S,D]", {}, {"q": (B, H, T, D), "k": (B, 1, S, D), "v": (B, 1, S, DV)})
    add("sdpa", "3-d [B,T,D]", {}, {"q": (B, T, D), "k": (B, S, D), "v": (B, S, DV)}, {"attnMask": KPM.view(B, 1, S)})


def multihead():
    base = {"embedDim": E, "numHeads": H}
    add("mha", "self, no mask", base, {"query": (T, B, E)})
    add("mha", "self, padding and causal bool mask, per-head weights", base, {"query": (S, B, E)},
        {"keyPaddingMask": KPM, "attnMask": causal_bool(S, S)}, {"averageAttnWeights": False})
    float_causal = nn.Transformer.generate_square_subsequent_mask(S).double()
    add("mha", "self, batchFirst, float causal mask and padding, no weights", {**base, "batchFirst": True},
        {"query": (B, S, E)}, {"keyPaddingMask": KPM, "attnMask": float_causal}, {"needWeights": False})
    add("mha", "cross, key is value, padding", base, {"query": (T, B, E), "key": (S, B, E)}, {"keyPaddingMask": KPM})
    per_head = ATTN_BOOL.repeat(B * H, 1, 1)
    per_head[1, 0, 0] = True  # the masks differ by batch and head
    per_head[2, 2, 1] = True
    add("mha", "cross, separate value, [B*H,T,S] bool mask", base, {"query": (T, B, E), "key": (S, B, E), "value": (S, B, E)},
        {"attnMask": per_head})
    add("mha", "kdim and vdim, padding", {**base, "kdim": 5, "vdim": 7}, {"query": (T, B, E), "key": (S, B, 5), "value": (S, B, 7)},
        {"keyPaddingMask": KPM})
    add("mha", "no bias, bool mask", {**base, "bias": False}, {"query": (T, B, E), "key": (S, B, E)}, {"attnMask": ATTN_BOOL})
    add("mha", "unbatched self, padding", base, {"query": (S, E)}, {"keyPaddingMask": KPM[1]})
    float_pad = torch.zeros(B, S, dtype=torch.float64)
    float_pad[1, 3] = NEG_INF
    float_pad[0, 1] = -0.5
    add("mha", "cross, float key padding mask", base, {"query": (T, B, E), "key": (S, B, E)}, {"keyPaddingMask": float_pad})
    add("mha", "4 heads, batchFirst cross", {"embedDim": E, "numHeads": 4, "batchFirst": True}, {"query": (B, T, E), "key": (B, S, E)},
        {"keyPaddingMask": KPM}, {"averageAttnWeights": False})


def layers():
    layer = {"dModel": E, "nhead": H, "dimFeedforward": FF, "dropout": 0.0}
    src_mask = torch.tensor([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=torch.bool)
    causal = nn.Transformer.generate_square_subsequent_mask(T).double()
    tgt_pad = padding([T, 2], T)
    for norm_first in (False, True):
        for activation in ("relu", "gelu"):
            config = {**layer, "activation": activation, "normFirst": norm_first}
            label = f"{'pre' if norm_first else 'post'}-norm {activation}"
            add("encoderLayer", f"{label}, src mask and padding", config, {"src": (S, B, E)},
                {"srcMask": src_mask, "srcKeyPaddingMask": KPM})
            add("decoderLayer", f"{label}, causal, padding", config, {"tgt": (T, B, E), "memory": (S, B, E)},
                {"tgtMask": causal, "tgtKeyPaddingMask": tgt_pad, "memoryKeyPaddingMask": KPM})
    add("encoderLayer", "batchFirst, no masks", {**layer, "batchFirst": True}, {"src": (B, S, E)})
    add("decoderLayer", "batchFirst, memory mask", {**layer, "batchFirst": True}, {"tgt": (B, T, E), "memory": (B, S, E)},
        {"tgtMask": causal, "memoryMask": ATTN_BOOL})


def transformer():
    config = {"dModel": E, "nhead": H, "numEncoderLayers": 2, "numDecoderLayers": 2, "dimFeedforward": FF, "dropout": 0.0}
    causal = nn.Transformer.generate_square_subsequent_mask(T).double()
    add("transformer", "2+2 layers, causal, padding", config, {"src": (S, B, E), "tgt": (T, B, E)},
        {"tgtMask": causal, "srcKeyPaddingMask": KPM, "memoryKeyPaddingMask": KPM, "tgtKeyPaddingMask": padding([T, 2], T)})
    add("transformer", "pre-norm gelu batchFirst", {**config, "normFirst": True, "activation": "gelu", "batchFirst": True},
        {"src": (B, S, E), "tgt": (B, T, E)}, {"tgtMask": causal, "srcKeyPaddingMask": KPM, "memoryKeyPaddingMask": KPM})


def main():
    if not os.path.isdir(os.path.join("packages", "nn-attention")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_attention.py")
    memory_attention()
    scaled_dot_product()
    multihead()
    layers()
    transformer()

    write_cases(OUT_PATH, "tools/reference/generate_attention.py", torch.__version__, SEED, CASES, COUNTS, WARNINGS)


if __name__ == "__main__":
    main()
