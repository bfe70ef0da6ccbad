#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/nn layer tests.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_nn.py

Writes packages/nn/test/fixtures/nn.json, replayed by packages/nn/test/layers.test.ts. The output is
deterministic: every case draws its module init, input and cotangent from its own seed (derived from
the case name), so adding or reordering cases leaves the others byte-identical. See
tools/reference/README.md ("nn layers") for the file format.

Each case is a torch.nn module built from a Tensorloom-style config, with:
  * its state_dict (parameters as PyTorch initialised them from the case seed, except LayerNorm's
    affine parameters, which are drawn at random so that they are not the trivial ones/zeros) and
    list(state_dict().keys()), which Tensorloom's stateDict() must reproduce in the same order;
  * an input (exact float32 values, or int32 ids for Embedding), the output, a random cotangent R,
    and the gradients of sum(output * R) w.r.t. the float input and every parameter (by state-dict
    name).
As in generate_ops.py the reference is computed in float64 from the exact float32 values, and each
case is re-run in float32 PyTorch and must agree within the test tolerance (rtol 1e-4, atol 1e-5).
"""

from __future__ import annotations

import copy
import inspect
import os
import sys
import zlib

import torch

from fixture_io import write_cases
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_ops import close, encode  # noqa: E402  (shared number encoding and tolerance check)

SEED = 20240612
OUT_PATH = os.path.join("packages", "nn", "test", "fixtures", "nn.json")

# torch < 2.1 has no LayerNorm(bias=False); there we drop the bias parameter by hand, as 2.1 does.
LAYER_NORM_HAS_BIAS = "bias" in inspect.signature(nn.LayerNorm.__init__).parameters


# --------------------------------------------------------------------------------------------
# Modules from Tensorloom configs. A spec is {"type": <Tensorloom class>, <constructor args by
# their Tensorloom names>}; omitted keys take the default.
# --------------------------------------------------------------------------------------------


def build(spec: dict) -> nn.Module:
    kind = spec["type"]
    if kind == "Linear":
        return nn.Linear(spec["inFeatures"], spec["outFeatures"], bias=spec.get("bias", True))
    if kind == "Embedding":
        return nn.Embedding(spec["numEmbeddings"], spec["embeddingDim"], padding_idx=spec.get("paddingIdx"))
    if kind == "LayerNorm":
        affine = spec.get("elementwiseAffine", True)
        bias = spec.get("bias", True)
        kwargs = {"eps": spec.get("eps", 1e-5), "elementwise_affine": affine}
        if LAYER_NORM_HAS_BIAS:
            return nn.LayerNorm(spec["normalizedShape"], bias=bias, **kwargs)
        m = nn.LayerNorm(spec["normalizedShape"], **kwargs)
        if affine and not bias:
            m.bias = None  # unregisters it: F.layer_norm(x, shape, weight, None, eps), no 'bias' key
        return m
    if kind == "GELU":
        return nn.GELU(approximate=spec.get("approximate", "none"))
    if kind in ("Softmax", "LogSoftmax"):
        return getattr(nn, kind)(dim=spec["dim"])
    if kind == "Dropout":
        return nn.Dropout(p=spec.get("p", 0.5))
    if kind in ("ReLU", "Tanh", "Sigmoid", "Identity"):
        return getattr(nn, kind)()
    if kind == "Sequential":
        return nn.Sequential(*(build(s) for s in spec["modules"]))
    raise ValueError(kind)


def randomize_layer_norms(module: nn.Module, gen: torch.Generator) -> None:
    """weight ~ 1 + N(0, 0.5²), bias ~ N(0, 0.5²) instead of ones/zeros, so the affine part is tested."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.LayerNorm):
                if m.weight is not None:
                    m.weight.copy_(f32(1 + 0.5 * torch.randn(m.weight.shape, generator=gen, dtype=torch.float64)))
                if m.bias is not None:
                    m.bias.copy_(f32(0.5 * torch.randn(m.bias.shape, generator=gen, dtype=torch.float64)))


# --------------------------------------------------------------------------------------------
# Inputs: float64 tensors holding exact float32 values (4 decimals, then float32), from the case's
# own generator (scale and shift are applied after the rounding, then rounded to float32 again).
# --------------------------------------------------------------------------------------------


def f32(t: torch.Tensor) -> torch.Tensor:
    return torch.round(t.double() * 1e4).div(1e4).float().double()


class Draw:
    def __init__(self, gen: torch.Generator):
        self.gen = gen

    def randn(self, *shape, scale=1.0, shift=0.0):
        t = f32(torch.randn(tuple(shape), generator=self.gen, dtype=torch.float64)) * scale + shift
        return t.float().double()

    def nonzero(self, *shape, margin=0.05):
        """randn with no value within `margin` of 0 (ReLU's kink)."""
        t = self.randn(*shape)
        near = t.abs() < margin
        t[near] = t[near] + torch.where(t[near] >= 0, 2 * margin, -2 * margin).double()
        return f32(t)


def ids(*rows):
    return torch.tensor(rows, dtype=torch.int64)


# --------------------------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------------------------

CASES: list[dict] = []
NAMES: set[str] = set()
COUNTS: dict[str, int] = {}
WARNINGS: list[str] = []


def shape_str(s):
    return "[" + ",".join(str(d) for d in s) + "]"


def run(module: nn.Module, x: torch.Tensor, cot: torch.Tensor | None, dtype: torch.dtype):
    """Forward, and the grads of sum(out * R) w.r.t. a float x and every named parameter."""
    m = copy.deepcopy(module).to(dtype)
    leaf = x.to(dtype).clone().requires_grad_(True) if x.is_floating_point() else x.clone()
    out = m(leaf)
    if cot is None:
        return out, None, {}
    params = list(m.named_parameters())
    wrt = ([leaf] if x.is_floating_point() else []) + [p for _, p in params]
    gs = torch.autograd.grad((out * cot.to(dtype)).sum(), wrt, allow_unused=True)
    gs = [torch.zeros_like(w) if g is None else g for w, g in zip(wrt, gs)]
    gx = gs.pop(0) if x.is_floating_point() else None
    return out, gx, {name: g for (name, _), g in zip(params, gs)}


def add(module_name: str, label: str, spec: dict, make_input, training: bool = False):
    """make_input(draw) -> float64 input (exact float32 values) or int64 ids."""
    x_shape = None
    seed = (SEED + zlib.crc32(f"{module_name}/{label}".encode())) % 2**63
    torch.manual_seed(seed)  # the module's init draws from the global generator
    gen = torch.Generator().manual_seed(seed)
    draw = Draw(gen)
    module = build(spec)
    randomize_layer_norms(module, gen)
    module.train(training)
    x = make_input(draw)
    x_shape = shape_str(x.shape)
    name = f"{module_name}/{label} {x_shape}"
    assert name not in NAMES, name
    NAMES.add(name)

    # The state dict holds float32 values; the float64 run below uses exactly those values.
    state = module.state_dict()
    assert all(v.dtype == torch.float32 for v in state.values())

    out64, _, _ = run(module, x, None, torch.float64)
    cot = draw.randn(*out64.shape)
    out64, gx64, gp64 = run(module, x, cot, torch.float64)
    out32, gx32, gp32 = run(module, x, cot, torch.float32)
    if not close(out64.detach(), out32.detach()):
        WARNINGS.append(f"{name}: float32 torch output differs from float64 reference beyond tolerance")
    if gx64 is not None and not close(gx64, gx32):
        WARNINGS.append(f"{name}: float32 torch input grad differs from float64 reference beyond tolerance")
    for k in gp64:
        if not close(gp64[k], gp32[k]):
            WARNINGS.append(f"{name}: float32 torch grad of {k} differs from float64 reference beyond tolerance")

    keys = list(state.keys())
    assert keys == [k for k, _ in module.named_parameters()], "cases have no buffers: state dict = parameters"
    inp = encode(x, exact_f32=True)
    inp["requiresGrad"] = bool(x.is_floating_point())
    CASES.append(
        {
            "name": name,
            "module": spec,
            "training": training,
            "stateDictKeys": keys,
            "stateDict": {k: encode(v, exact_f32=True) for k, v in state.items()},
            "input": inp,
            "output": encode(out64),
            "cotangent": encode(cot, exact_f32=True, with_dtype=False),
            "grads": {
                "input": None if gx64 is None else encode(gx64, with_dtype=False),
                "params": {k: encode(g, with_dtype=False) for k, g in gp64.items()},
            },
        }
    )
    COUNTS[module_name] = COUNTS.get(module_name, 0) + 1


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


def linear():
    lin = lambda i, o, bias=True: {"type": "Linear", "inFeatures": i, "outFeatures": o, "bias": bias}  # noqa: E731
    add("Linear", "bias 2-d", lin(3, 5), lambda d: d.randn(4, 3))
    add("Linear", "no bias 2-d", lin(3, 5, False), lambda d: d.randn(4, 3))
    add("Linear", "bias 3-d", lin(4, 3), lambda d: d.randn(2, 3, 4))
    add("Linear", "no bias 3-d", lin(4, 3, False), lambda d: d.randn(2, 3, 4))
    add("Linear", "inFeatures 1", lin(1, 3), lambda d: d.randn(5, 1))
    add("Linear", "inFeatures 1 no bias 3-d", lin(1, 2, False), lambda d: d.randn(2, 2, 1))
    add("Linear", "1-d input", lin(4, 2), lambda d: d.randn(4))
    add("Linear", "outFeatures 1", lin(6, 1), lambda d: d.randn(3, 6))


def embedding():
    emb = lambda n, dim, pad=None: {  # noqa: E731
        "type": "Embedding",
        "numEmbeddings": n,
        "embeddingDim": dim,
        **({} if pad is None else {"paddingIdx": pad}),
    }
    add("Embedding", "1-d ids with repeats", emb(6, 4), lambda d: ids(5, 0, 5, 2, 2, 1))
    add("Embedding", "2-d ids", emb(7, 3), lambda d: ids([0, 6, 3], [3, 1, 4]))
    add("Embedding", "paddingIdx 0 repeated", emb(5, 3, 0), lambda d: ids(0, 2, 0, 4, 0, 2))
    add("Embedding", "paddingIdx 2 2-d", emb(6, 4, 2), lambda d: ids([2, 1, 5, 2], [3, 2, 2, 0]))
    add("Embedding", "paddingIdx -1 2-d", emb(5, 3, -1), lambda d: ids([4, 1, 4], [0, 4, 3]))
    add("Embedding", "paddingIdx -3 1-d", emb(6, 2, -3), lambda d: ids(3, 3, 0, 5, 3))
    add("Embedding", "paddingIdx unused", emb(4, 3, 1), lambda d: ids([0, 3], [2, 2]))


def layer_norm():
    def ln(shape, **opts):
        return {"type": "LayerNorm", "normalizedShape": shape, **opts}

    add("LayerNorm", "1 dim affine", ln([5]), lambda d: d.randn(2, 3, 5, scale=2.0, shift=0.5))
    add("LayerNorm", "2 dims affine", ln([3, 4]), lambda d: d.randn(2, 3, 4, scale=2.0, shift=-0.25))
    add("LayerNorm", "1 dim no affine", ln([6], elementwiseAffine=False), lambda d: d.randn(4, 6, scale=2.0))
    add("LayerNorm", "2 dims no affine", ln([2, 5], elementwiseAffine=False), lambda d: d.randn(3, 2, 5))
    add("LayerNorm", "1 dim bias false", ln([4], bias=False), lambda d: d.randn(3, 4, shift=1.0))
    add("LayerNorm", "2 dims bias false", ln([3, 2], bias=False), lambda d: d.randn(2, 3, 2, scale=2.0))
    add("LayerNorm", "all dims of 2-d input", ln([3, 4]), lambda d: d.randn(3, 4))
    add("LayerNorm", "1-d input", ln([5]), lambda d: d.randn(5))
    # eps only shows when it is not negligible next to Var[x]: small inputs (Var ≈ 1e-3 for 2^-5 scale).
    add("LayerNorm", "default eps small variance", ln([8]), lambda d: d.randn(2, 8, scale=2**-5))
    add("LayerNorm", "eps 0.1", ln([6], eps=0.1), lambda d: d.randn(3, 6, scale=0.25))
    add("LayerNorm", "eps 1e-3 no affine", ln([4], eps=1e-3, elementwiseAffine=False), lambda d: d.randn(2, 4, scale=2**-4))


def activations():
    add("GELU", "default", {"type": "GELU"}, lambda d: d.randn(2, 3, 4, scale=2.0))
    add("GELU", "approximate none", {"type": "GELU", "approximate": "none"}, lambda d: d.randn(3, 5, scale=2.0))
    add("GELU", "approximate tanh", {"type": "GELU", "approximate": "tanh"}, lambda d: d.randn(2, 3, 4, scale=2.0))
    add("ReLU", "3-d", {"type": "ReLU"}, lambda d: d.nonzero(2, 3, 4))
    add("Tanh", "3-d", {"type": "Tanh"}, lambda d: d.randn(2, 3, 4, scale=2.0))
    add("Sigmoid", "3-d", {"type": "Sigmoid"}, lambda d: d.randn(2, 3, 4, scale=4.0))
    add("Identity", "2-d", {"type": "Identity"}, lambda d: d.randn(3, 4))
    for kind in ("Softmax", "LogSoftmax"):
        add(kind, "dim -1", {"type": kind, "dim": -1}, lambda d: d.randn(2, 3, 5, scale=2.0))
        add(kind, "dim 0", {"type": kind, "dim": 0}, lambda d: d.randn(3, 4, scale=2.0))
        add(kind, "dim 1 of 3-d", {"type": kind, "dim": 1}, lambda d: d.randn(2, 4, 3, scale=2.0))
    add("Dropout", "eval mode is the identity", {"type": "Dropout", "p": 0.5}, lambda d: d.randn(3, 4))
    add("Dropout", "eval mode p 0.9", {"type": "Dropout", "p": 0.9}, lambda d: d.randn(2, 3, 2))


def containers():
    def mlp(*layers):
        return {"type": "Sequential", "modules": list(layers)}

    linear = lambda i, o: {"type": "Linear", "inFeatures": i, "outFeatures": o}  # noqa: E731
    log_softmax = {"type": "LogSoftmax", "dim": -1}
    add("Sequential", "MLP", mlp(linear(4, 8), {"type": "Tanh"}, linear(8, 3), log_softmax), lambda d: d.randn(5, 4))
    add(
        "Sequential",
        "MLP with dropout in eval mode",
        mlp(linear(3, 6), {"type": "Tanh"}, {"type": "Dropout", "p": 0.5}, linear(6, 4), log_softmax),
        lambda d: d.randn(2, 2, 3),
    )
    add(
        "Sequential",
        "nested with LayerNorm",
        mlp(mlp(linear(4, 6), {"type": "GELU"}), {"type": "LayerNorm", "normalizedShape": [6]}, linear(6, 2)),
        lambda d: d.randn(3, 4),
    )


def main():
    if not os.path.isdir(os.path.join("packages", "nn")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_nn.py")
    linear()
    embedding()
    layer_norm()
    activations()
    containers()

    write_cases(OUT_PATH, "tools/reference/generate_nn.py", torch.__version__, SEED, CASES, COUNTS, WARNINGS)


if __name__ == "__main__":
    main()
