#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/tensor conformance test.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_ops.py

Writes packages/tensor/test/fixtures/ops.json. The output is deterministic (fixed seed,
fixed case order). See tools/reference/README.md for the file format.

How the numbers are produced:
  * every float input / cotangent value is an exact float32 value, written in its shortest
    float32 round-trip form (e.g. 0.1234), so JS reading it into a Float32Array gets exactly
    the value PyTorch used;
  * the reference is then computed in float64 from those exact values (so it is the "true"
    answer for float32 inputs, not float32 PyTorch's own rounding), and floats in outputs and
    grads are rounded to 8 significant digits;
  * as a sanity check every case is also run in float32 PyTorch and must agree with the
    float64 reference within the conformance tolerance (rtol 1e-4, atol 1e-5), so the fixture
    is attainable by a float32 implementation.
"""

from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import torch

from fixture_io import write_cases
import torch.nn.functional as F

SEED = 20240611
RTOL = 1e-4
ATOL = 1e-5
OUT_PATH = os.path.join("packages", "tensor", "test", "fixtures", "ops.json")

torch.manual_seed(SEED)
GEN = torch.Generator().manual_seed(SEED)

# --------------------------------------------------------------------------------------------
# Input construction helpers. All return float64 tensors holding exact float32 values.
# --------------------------------------------------------------------------------------------


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to 4 decimals, then to float32, and hold the result as float64."""
    return torch.round(t.double() * 1e4).div(1e4).float().double()


def randn(*shape, scale=1.0):
    return f32(torch.randn(tuple(shape), generator=GEN, dtype=torch.float64) * scale)


def uniform(lo, hi, *shape):
    return f32(torch.rand(tuple(shape), generator=GEN, dtype=torch.float64) * (hi - lo) + lo)


def distinct(*shape, scale=1.0):
    """randn with all values pairwise distinct (no ties for max/min/argmax)."""
    while True:
        t = randn(*shape, scale=scale)
        flat = t.flatten().tolist()
        srt = sorted(flat)
        if len(set(flat)) == len(flat) and all(b - a > 1e-3 * scale for a, b in zip(srt, srt[1:])):
            return t


def away(t, points, margin=0.05):
    """Push values within `margin` of any of `points` (non-differentiable spots) away."""
    t = t.clone()
    for p in points:
        near = (t - p).abs() < margin
        sign = (t[near] >= p).double() * 2 - 1
        t[near] = t[near] + sign * margin * 2
    return f32(t)


def nonzero(*shape, margin=0.05):
    return away(randn(*shape), [0.0], margin)


def positive(*shape, lo=0.2, hi=3.0):
    return uniform(lo, hi, *shape)


def bools(*shape):
    while True:
        t = torch.rand(tuple(shape), generator=GEN) < 0.5
        if t.numel() < 2 or (t.any() and not t.all()):
            return t


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, tuple(shape), generator=GEN, dtype=torch.int64)


def cot_like(t: torch.Tensor) -> torch.Tensor:
    return randn(*t.shape)


# --------------------------------------------------------------------------------------------
# Input specs
# --------------------------------------------------------------------------------------------


class Inp:
    def __init__(self, value: torch.Tensor, grad: bool | None = None, transform: dict | None = None):
        self.value = value
        if grad is None:
            grad = value.is_floating_point()
        self.grad = grad
        self.transform = transform


def T(value, grad=None, transform=None):
    return Inp(value, grad, transform)


def apply_transform(x: torch.Tensor, tr: dict | None) -> torch.Tensor:
    if tr is None:
        return x
    op = tr["op"]
    if op == "transpose":
        return x.transpose(tr["dim0"], tr["dim1"])
    if op == "permute":
        return x.permute(*tr["dims"])
    if op == "slice":
        idx = [slice(None)] * x.dim()
        idx[tr["dim"] % x.dim()] = slice(tr.get("start"), tr.get("end"), tr.get("step", 1))
        return x[tuple(idx)]
    if op == "expand":
        return x.expand(tuple(tr["shape"]))
    raise ValueError(op)


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------


def fnum(v: float, digits: int = 8):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    r = float(f"{v:.{digits}g}")
    if r == 0.0:
        return 0  # also turns -0.0 into 0
    if r == int(r) and abs(r) < 1e15:
        return int(r)
    return r


def f32num(v: float):
    """Shortest decimal that round-trips to the same float32 (inputs and cotangents)."""
    if math.isnan(v) or math.isinf(v):
        return fnum(v)
    r = float(str(np.float32(v)))
    if r == 0.0:
        return 0
    if r == int(r) and abs(r) < 1e15:
        return int(r)
    return r


def dtype_name(t: torch.Tensor) -> str:
    if t.dtype == torch.bool:
        return "bool"
    if t.is_floating_point():
        return "float32"
    return "int32"


def encode(t: torch.Tensor, exact_f32: bool = False, with_dtype: bool = True) -> dict:
    t = t.detach().contiguous()
    dt = dtype_name(t)
    flat = t.flatten().tolist()
    if dt == "bool":
        data = [1 if v else 0 for v in flat]
    elif dt == "int32":
        assert all(-(2**31) <= v < 2**31 for v in flat)
        data = [int(v) for v in flat]
    else:
        data = [f32num(v) if exact_f32 else fnum(v) for v in flat]
    d = {"shape": list(t.shape)}
    if with_dtype:
        d["dtype"] = dt
    d["data"] = data
    return d


# --------------------------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------------------------

CASES: list[dict] = []
NAMES: set[str] = set()
COUNTS: dict[str, int] = {}
WARNINGS: list[str] = []


def shape_str(s):
    return "[" + ",".join(str(d) for d in s) + "]"


def run(fn, inputs: list[Inp], args: dict, dtype: torch.dtype, cots=None):
    leaves = []
    for inp in inputs:
        v = inp.value
        if v.is_floating_point():
            v = v.to(dtype)
        leaf = v.clone().requires_grad_(inp.grad)
        leaves.append(leaf)
    xs = [apply_transform(leaf, inp.transform) for leaf, inp in zip(leaves, inputs)]
    out = fn(xs, args)
    multi = isinstance(out, (tuple, list))
    outs = list(out) if multi else [out]
    if cots is None:
        cots = [cot_like(o) if o.is_floating_point() else None for o in outs]
    grads = [None] * len(inputs)
    want = [i for i, inp in enumerate(inputs) if inp.grad]
    float_outs = [(o, c) for o, c in zip(outs, cots) if c is not None]
    if want and float_outs:
        loss = sum((o * c.to(o.dtype)).sum() for o, c in float_outs)
        gs = torch.autograd.grad(loss, [leaves[i] for i in want], allow_unused=True)
        for i, g in zip(want, gs):
            grads[i] = torch.zeros_like(leaves[i]) if g is None else g
    return multi, outs, cots, grads


def close(ref: torch.Tensor, got: torch.Tensor) -> bool:
    ref = ref.double()
    got = got.double()
    if ref.shape != got.shape:
        return False
    both_inf = torch.isinf(ref) & (ref == got)
    err = (ref - got).abs()
    ok = (err <= ATOL + RTOL * ref.abs()) | both_inf | (torch.isnan(ref) & torch.isnan(got))
    return bool(ok.all())


def add(op: str, label: str, fn, inputs: list[Inp], args: dict | None = None, shapes: bool = True):
    args = dict(args or {})
    if shapes:
        shp = " ".join(
            shape_str(i.value.shape)
            + ("" if i.transform is None else "." + i.transform["op"])
            for i in inputs
        )
        name = f"{op}/{label} {shp}".strip()
    else:
        name = f"{op}/{label}"
    assert name not in NAMES, name
    NAMES.add(name)

    multi, outs, cots, grads = run(fn, inputs, args, torch.float64)

    # float32 feasibility check against the float64 reference
    _, outs32, _, grads32 = run(fn, inputs, args, torch.float32, cots=cots)
    for o, o32 in zip(outs, outs32):
        if o.is_floating_point() and not close(o, o32):
            WARNINGS.append(f"{name}: float32 torch output differs from float64 reference beyond tolerance")
        elif not o.is_floating_point() and not torch.equal(o, o32):
            WARNINGS.append(f"{name}: float32 torch int/bool output differs")
    for g, g32 in zip(grads, grads32):
        if g is not None and not close(g, g32):
            WARNINGS.append(f"{name}: float32 torch grad differs from float64 reference beyond tolerance")

    case = {"name": name, "op": op, "args": args, "inputs": []}
    for inp in inputs:
        e = encode(inp.value, exact_f32=True)
        e["requiresGrad"] = bool(inp.grad)
        if inp.transform is not None:
            e["transform"] = inp.transform
        case["inputs"].append(e)
    if multi:
        case["outputs"] = [encode(o) for o in outs]
    else:
        case["output"] = encode(outs[0])
    case["cotangent"] = [None if c is None else encode(c, exact_f32=True, with_dtype=False) for c in cots]
    case["grads"] = [None if g is None else encode(g, with_dtype=False) for g in grads]
    CASES.append(case)
    COUNTS[op] = COUNTS.get(op, 0) + 1


# Convenience: an argument value that JSON can hold (inf -> string).
def jnum(v: float):
    return fnum(v) if (math.isinf(v) or math.isnan(v)) else v


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


def binary_fn(torch_fn):
    def fn(xs, a):
        if "other" in a:
            return torch_fn(xs[0], a["other"])
        return torch_fn(xs[0], xs[1])

    return fn


def elementwise_binary():
    for op, tf in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul)]:
        fn = binary_fn(tf)
        add(op, "same shape", fn, [T(randn(2, 3)), T(randn(2, 3))])
        add(op, "broadcast row", fn, [T(randn(2, 3)), T(randn(3))])
        add(op, "broadcast both sides", fn, [T(randn(3, 1)), T(randn(1, 4))])
        add(op, "broadcast rank 3", fn, [T(randn(3, 1, 4)), T(randn(2, 1))])
        add(op, "0-d tensor operand", fn, [T(randn(2, 3)), T(randn())])
        add(op, "scalar number", fn, [T(randn(2, 3))], {"other": 1.75})
        add(op, "second operand no grad", fn, [T(randn(2, 3)), T(randn(2, 3), grad=False)])
        add(op, "transposed input", fn, [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(randn(2, 3))])
    fn = binary_fn(torch.div)
    add("div", "same shape", fn, [T(randn(2, 3)), T(away(randn(2, 3), [0.0], 0.5))])
    add("div", "broadcast row", fn, [T(randn(2, 3)), T(away(randn(3), [0.0], 0.5))])
    add("div", "broadcast both sides", fn, [T(randn(3, 1)), T(away(randn(1, 4), [0.0], 0.5))])
    add("div", "0-d tensor operand", fn, [T(randn(2, 3)), T(positive(lo=0.5))])
    add("div", "scalar number", fn, [T(randn(2, 3))], {"other": -2.5})
    add("div", "0-d numerator", fn, [T(randn()), T(away(randn(2, 3), [0.0], 0.5))])
    add(
        "div",
        "permuted input",
        fn,
        [T(randn(4, 2, 3), transform={"op": "permute", "dims": [1, 2, 0]}), T(away(randn(3, 4), [0.0], 0.5))],
    )

    def pow_fn(xs, a):
        if "exponent" in a:
            return torch.pow(xs[0], a["exponent"])
        return torch.pow(xs[0], xs[1])

    add("pow", "square", pow_fn, [T(randn(2, 3))], {"exponent": 2})
    add("pow", "cube", pow_fn, [T(randn(2, 3))], {"exponent": 3})
    add("pow", "sqrt exponent", pow_fn, [T(positive(2, 3))], {"exponent": 0.5})
    add("pow", "negative fractional exponent", pow_fn, [T(positive(2, 3))], {"exponent": -1.5})
    add("pow", "zero exponent", pow_fn, [T(randn(2, 3))], {"exponent": 0})
    add("pow", "tensor exponent", pow_fn, [T(positive(2, 3)), T(randn(2, 3))])
    add("pow", "broadcast tensor exponent", pow_fn, [T(positive(2, 3)), T(uniform(-2, 2, 3))])
    add("pow", "0-d base tensor exponent", pow_fn, [T(positive()), T(uniform(-2, 2, 2, 3))])


def elementwise_unary():
    def u(torch_fn):
        return lambda xs, a: torch_fn(xs[0])

    specs = [
        ("neg", torch.neg, lambda *s: randn(*s)),
        ("sqrt", torch.sqrt, lambda *s: positive(*s)),
        ("rsqrt", torch.rsqrt, lambda *s: positive(*s)),
        ("exp", torch.exp, lambda *s: randn(*s)),
        ("log", torch.log, lambda *s: positive(*s, lo=0.1, hi=5.0)),
        ("abs", torch.abs, lambda *s: nonzero(*s)),
        ("tanh", torch.tanh, lambda *s: randn(*s, scale=2.0)),
        ("sigmoid", torch.sigmoid, lambda *s: randn(*s, scale=3.0)),
        ("relu", torch.relu, lambda *s: nonzero(*s)),
    ]
    for op, tf, gen in specs:
        fn = u(tf)
        add(op, "2-d", fn, [T(gen(2, 3))])
        add(op, "3-d", fn, [T(gen(2, 3, 4))])
        add(op, "0-d", fn, [T(gen())])
        add(op, "strided slice input", fn, [T(gen(3, 6), transform={"op": "slice", "dim": 1, "start": 1, "end": 6, "step": 2})])
    # a few wider-range checks
    add("exp", "wide range", u(torch.exp), [T(uniform(-20, 20, 2, 5))])
    add("log", "wide range", u(torch.log), [T(uniform(1e-3, 1e3, 2, 5))])
    add("tanh", "saturating", u(torch.tanh), [T(f32(torch.tensor([[-30.0, -8.0, -0.5], [0.25, 9.0, 40.0]])))])
    add("sigmoid", "saturating", u(torch.sigmoid), [T(f32(torch.tensor([[-60.0, -15.0, -0.5], [0.25, 17.0, 80.0]])))])

    def clamp_fn(xs, a):
        return torch.clamp(xs[0], a.get("min"), a.get("max"))

    def clamp_inp(*s, lo=None, hi=None):
        pts = [p for p in (lo, hi) if p is not None]
        return away(randn(*s, scale=1.5), pts, 0.05)

    add("clamp", "min and max", clamp_fn, [T(clamp_inp(2, 3, 4, lo=-0.5, hi=0.75))], {"min": -0.5, "max": 0.75})
    add("clamp", "min only", clamp_fn, [T(clamp_inp(2, 3, lo=0.1))], {"min": 0.1})
    add("clamp", "max only", clamp_fn, [T(clamp_inp(2, 3, hi=-0.2))], {"max": -0.2})
    add("clamp", "null min", clamp_fn, [T(clamp_inp(2, 3, hi=0.3))], {"min": None, "max": 0.3})
    add("clamp", "null max", clamp_fn, [T(clamp_inp(2, 3, lo=-0.3))], {"min": -0.3, "max": None})
    add(
        "clamp",
        "transposed input",
        clamp_fn,
        [T(clamp_inp(4, 3, lo=-1, hi=1), transform={"op": "transpose", "dim0": 0, "dim1": 1})],
        {"min": -1, "max": 1},
    )

    def gelu_fn(xs, a):
        return F.gelu(xs[0], approximate=a.get("approximate", "none"))

    add("gelu", "default", gelu_fn, [T(randn(2, 3, 4, scale=2.0))])
    add("gelu", "approximate none", gelu_fn, [T(randn(2, 3, scale=2.0))], {"approximate": "none"})
    add("gelu", "approximate tanh", gelu_fn, [T(randn(2, 3, 4, scale=2.0))], {"approximate": "tanh"})
    add("gelu", "0-d tanh", gelu_fn, [T(randn())], {"approximate": "tanh"})
    add("gelu", "wide range", gelu_fn, [T(uniform(-12, 12, 3, 4))])


def softmaxes():
    for op, tf in [("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)]:

        def fn(xs, a, tf=tf):
            return tf(xs[0], a["dim"])

        add(op, "dim -1", fn, [T(randn(2, 3, scale=2.0))], {"dim": -1})
        add(op, "dim 0", fn, [T(randn(2, 3, scale=2.0))], {"dim": 0})
        add(op, "3-d dim 1", fn, [T(randn(2, 3, 4, scale=2.0))], {"dim": 1})
        add(op, "3-d dim -1", fn, [T(randn(2, 3, 4, scale=2.0))], {"dim": -1})
        add(op, "1-d", fn, [T(randn(5, scale=2.0))], {"dim": 0})
        add(op, "large positive ~1000", fn, [T(uniform(995, 1005, 2, 4))], {"dim": -1})
        add(op, "large negative ~-1000", fn, [T(uniform(-1005, -995, 2, 4))], {"dim": 1})
        big = f32(torch.tensor([[1000.0, -1000.0, 999.5, 0.0], [-1000.0, -999.0, -1001.0, -1000.5]]))
        add(op, "mixed +-1000", fn, [T(big)], {"dim": -1})
        add(
            op,
            "transposed input",
            fn,
            [T(randn(4, 3, scale=2.0), transform={"op": "transpose", "dim0": 0, "dim1": 1})],
            {"dim": -1},
        )


def layer_norms():
    """torch.nn.functional.layer_norm: one and two normalized dims, with and without the affine parameters, a
    transposed input, rows with a large common offset, and a constant row (zero variance: eps alone under the root)."""

    def fn(xs, a):
        rest = list(xs[1:])
        weight = rest.pop(0) if a["weight"] else None
        bias = rest.pop(0) if a["bias"] else None
        return torch.nn.functional.layer_norm(xs[0], a["normalizedShape"], weight, bias, a["eps"])

    def case(label, x, shape, weight=True, bias=True, eps=1e-5, transform=None):
        inputs = [T(x, transform=transform)]
        if weight:
            inputs.append(T(f32(randn(*shape) * 0.5 + 1)))
        if bias:
            inputs.append(T(randn(*shape)))
        args = {"normalizedShape": list(shape), "eps": eps, "weight": weight, "bias": bias}
        add("layerNorm", label, fn, inputs, args)

    case("last dim", randn(3, 8, scale=2.0), (8,))
    case("3-d, last dim", randn(2, 3, 5, scale=2.0), (5,))
    case("last two dims", randn(2, 3, 4, scale=2.0), (3, 4))
    case("no affine", randn(4, 6, scale=2.0), (6,), weight=False, bias=False)
    case("bias only", randn(4, 6, scale=2.0), (6,), weight=False)
    case("weight only, eps 0.1", randn(4, 6, scale=2.0), (6,), bias=False, eps=0.1)
    case("transposed input", randn(6, 4, scale=2.0), (6,), transform={"op": "transpose", "dim0": 0, "dim1": 1})
    case("offset rows", f32(randn(3, 16) + 100.0), (16,))
    case("constant row", f32(torch.tensor([[2.5, 2.5, 2.5, 2.5], [1.0, -2.0, 0.5, 3.0]])), (4,))


def linears():
    """torch.nn.functional.linear: 2-D and 3-D inputs, with and without bias, a transposed input."""

    def fn(xs, a):
        return torch.nn.functional.linear(xs[0], xs[1], xs[2] if a["bias"] else None)

    add("linear", "2-d", fn, [T(randn(4, 3)), T(randn(5, 3)), T(randn(5))], {"bias": True})
    add("linear", "3-d", fn, [T(randn(2, 3, 4)), T(randn(6, 4)), T(randn(6))], {"bias": True})
    add("linear", "no bias", fn, [T(randn(4, 3)), T(randn(2, 3))], {"bias": False})
    tr = {"op": "transpose", "dim0": 0, "dim1": 1}
    add("linear", "transposed input", fn, [T(randn(3, 4), transform=tr), T(randn(5, 3)), T(randn(5))], {"bias": True})



def cross_entropies():
    """torch.nn.functional.cross_entropy per row (reduction 'none') against class indices, as softmaxCrossEntropy:
    with and without label smoothing, rows longer than a vector and not a multiple of its width, logits of ±1000,
    a transposed input."""

    def fn(xs, a):
        return torch.nn.functional.cross_entropy(xs[0], xs[1], reduction="none", label_smoothing=a["labelSmoothing"])

    add("softmaxCrossEntropy", "no smoothing", fn, [T(randn(4, 5, scale=2.0)), T(randint(0, 5, 4))], {"labelSmoothing": 0})
    add("softmaxCrossEntropy", "smoothing 0.1", fn, [T(randn(6, 7, scale=2.0)), T(randint(0, 7, 6))], {"labelSmoothing": 0.1})
    add("softmaxCrossEntropy", "smoothing 1", fn, [T(randn(3, 4, scale=2.0)), T(randint(0, 4, 3))], {"labelSmoothing": 1})
    add("softmaxCrossEntropy", "long rows", fn, [T(randn(3, 301, scale=3.0)), T(randint(0, 301, 3))], {"labelSmoothing": 0.1})
    add("softmaxCrossEntropy", "logits ±1000", fn, [T(uniform(-1000, 1000, 4, 6)), T(randint(0, 6, 4))], {"labelSmoothing": 0.2})
    tr = {"op": "transpose", "dim0": 0, "dim1": 1}
    add("softmaxCrossEntropy", "transposed input", fn, [T(randn(5, 3, scale=2.0), transform=tr), T(randint(0, 5, 3))], {"labelSmoothing": 0.1})

def reductions():
    def sum_fn(xs, a):
        if "dim" not in a:
            return torch.sum(xs[0])
        return torch.sum(xs[0], a["dim"], keepdim=a.get("keepdim", False))

    def mean_fn(xs, a):
        if "dim" not in a:
            return torch.mean(xs[0])
        return torch.mean(xs[0], a["dim"], keepdim=a.get("keepdim", False))

    for op, fn in [("sum", sum_fn), ("mean", mean_fn)]:
        add(op, "all", fn, [T(randn(2, 3, 4))])
        add(op, "0-d input", fn, [T(randn())])
        add(op, "dim 0", fn, [T(randn(2, 3))], {"dim": 0})
        add(op, "dim 1 keepdim", fn, [T(randn(2, 3))], {"dim": 1, "keepdim": True})
        add(op, "dim -1", fn, [T(randn(2, 3, 4))], {"dim": -1})
        add(op, "dim -2 keepdim", fn, [T(randn(2, 3, 4))], {"dim": -2, "keepdim": True})
        add(op, "dims [0,2]", fn, [T(randn(2, 3, 4))], {"dim": [0, 2]})
        add(op, "dims [0,-1] keepdim", fn, [T(randn(2, 3, 4))], {"dim": [0, -1], "keepdim": True})
        add(op, "keepdim false explicit", fn, [T(randn(3, 1, 4))], {"dim": 1, "keepdim": False})
        add(
            op,
            "permuted input",
            fn,
            [T(randn(4, 2, 3), transform={"op": "permute", "dims": [2, 0, 1]})],
            {"dim": -1},
        )

    def mm_fn(torch_fn):
        def fn(xs, a):
            if "dim" not in a:
                return torch_fn(xs[0])
            r = torch_fn(xs[0], a["dim"], keepdim=a.get("keepdim", False))
            return [r.values, r.indices]

        return fn

    for op, tf in [("max", torch.max), ("min", torch.min)]:
        fn = mm_fn(tf)
        add(op, "all", fn, [T(distinct(2, 3, 4))])
        add(op, "all 1-d", fn, [T(distinct(5))])
        add(op, "dim 0", fn, [T(distinct(2, 3))], {"dim": 0})
        add(op, "dim 1 keepdim", fn, [T(distinct(2, 3))], {"dim": 1, "keepdim": True})
        add(op, "dim -1", fn, [T(distinct(2, 3, 4))], {"dim": -1})
        add(op, "dim 1 keepdim 3-d", fn, [T(distinct(2, 3, 4))], {"dim": 1, "keepdim": True})
        add(op, "dim -3 keepdim false", fn, [T(distinct(2, 3, 4))], {"dim": -3, "keepdim": False})
        add(
            op,
            "transposed input",
            fn,
            [T(distinct(4, 3), transform={"op": "transpose", "dim0": 0, "dim1": 1})],
            {"dim": 1},
        )

    def argmax_fn(xs, a):
        if "dim" not in a:
            return torch.argmax(xs[0]).to(torch.int32)
        return torch.argmax(xs[0], a["dim"], keepdim=a.get("keepdim", False)).to(torch.int32)

    add("argmax", "all", argmax_fn, [T(distinct(2, 3, 4), grad=False)])
    add("argmax", "dim 0", argmax_fn, [T(distinct(2, 3), grad=False)], {"dim": 0})
    add("argmax", "dim 1 keepdim", argmax_fn, [T(distinct(2, 3), grad=False)], {"dim": 1, "keepdim": True})
    add("argmax", "dim -1", argmax_fn, [T(distinct(2, 3, 4), grad=False)], {"dim": -1})
    add("argmax", "dim -2 keepdim", argmax_fn, [T(distinct(2, 3, 4), grad=False)], {"dim": -2, "keepdim": True})
    add(
        "argmax",
        "permuted input",
        argmax_fn,
        [T(distinct(3, 4, 2), grad=False, transform={"op": "permute", "dims": [2, 0, 1]})],
        {"dim": 1},
    )

    def var_fn(xs, a):
        corr = a.get("correction", 1)
        if "dim" not in a:
            return torch.var(xs[0], None, correction=corr)
        return torch.var(xs[0], a["dim"], correction=corr, keepdim=a.get("keepdim", False))

    add("variance", "all default correction", var_fn, [T(randn(2, 3, 4))])
    add("variance", "all correction 0", var_fn, [T(randn(2, 3))], {"correction": 0})
    add("variance", "dim 0", var_fn, [T(randn(3, 4))], {"dim": 0})
    add("variance", "dim -1 keepdim", var_fn, [T(randn(2, 3, 4))], {"dim": -1, "keepdim": True})
    add("variance", "dim 1 correction 0", var_fn, [T(randn(2, 3, 4))], {"dim": 1, "correction": 0})
    add("variance", "dim 1 correction 2", var_fn, [T(randn(2, 5))], {"dim": 1, "correction": 2})
    add("variance", "dims [0,2] keepdim", var_fn, [T(randn(2, 3, 4))], {"dim": [0, 2], "keepdim": True})
    add(
        "variance",
        "transposed input",
        var_fn,
        [T(randn(4, 3), transform={"op": "transpose", "dim0": 0, "dim1": 1})],
        {"dim": -1},
    )


def matmuls():
    fn = lambda xs, a: torch.matmul(xs[0], xs[1])  # noqa: E731
    add("matmul", "1-d . 1-d", fn, [T(randn(4)), T(randn(4))])
    add("matmul", "1-d . 2-d", fn, [T(randn(3)), T(randn(3, 4))])
    add("matmul", "2-d . 1-d", fn, [T(randn(2, 3)), T(randn(3))])
    add("matmul", "2-d . 2-d", fn, [T(randn(2, 3)), T(randn(3, 4))])
    add("matmul", "batched 3-d . 3-d", fn, [T(randn(2, 2, 3)), T(randn(2, 3, 4))])
    add("matmul", "broadcast batch", fn, [T(randn(2, 1, 3, 4)), T(randn(3, 4, 5))])
    add("matmul", "3-d . 2-d", fn, [T(randn(2, 3, 4)), T(randn(4, 2))])
    add("matmul", "2-d . 3-d", fn, [T(randn(3, 4)), T(randn(2, 4, 2))])
    add("matmul", "3-d . 1-d", fn, [T(randn(2, 3, 4)), T(randn(4))])
    add("matmul", "1-d . 3-d", fn, [T(randn(3)), T(randn(2, 3, 4))])
    add("matmul", "one side no grad", fn, [T(randn(2, 3)), T(randn(3, 4), grad=False)])
    add(
        "matmul",
        "transposed lhs",
        fn,
        [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(randn(3, 4))],
    )
    add(
        "matmul",
        "transposed rhs",
        fn,
        [T(randn(2, 3)), T(randn(4, 3), transform={"op": "transpose", "dim0": -1, "dim1": -2})],
    )
    add(
        "matmul",
        "batched permuted rhs",
        fn,
        [T(randn(2, 2, 3)), T(randn(3, 2, 4), transform={"op": "permute", "dims": [1, 0, 2]})],
    )
    add(
        "matmul",
        "expanded lhs",
        fn,
        [T(randn(1, 2, 3), transform={"op": "expand", "shape": [2, 2, 3]}), T(randn(2, 3, 4))],
    )


def shape_ops():
    add("transpose", "2-d", lambda xs, a: xs[0].transpose(a["dim0"], a["dim1"]), [T(randn(2, 3))], {"dim0": 0, "dim1": 1})
    tr = lambda xs, a: torch.transpose(xs[0], a["dim0"], a["dim1"])  # noqa: E731
    add("transpose", "3-d outer", tr, [T(randn(2, 3, 4))], {"dim0": 0, "dim1": 2})
    add("transpose", "negative dims", tr, [T(randn(2, 3, 4))], {"dim0": -1, "dim1": -2})
    add("transpose", "same dim", tr, [T(randn(2, 3))], {"dim0": 1, "dim1": 1})
    add("transpose", "of a transpose", tr, [T(randn(3, 2, 4), transform={"op": "transpose", "dim0": 0, "dim1": 1})], {"dim0": 0, "dim1": 2})

    pm = lambda xs, a: xs[0].permute(*a["dims"])  # noqa: E731
    add("permute", "3-d", pm, [T(randn(2, 3, 4))], {"dims": [2, 0, 1]})
    add("permute", "identity", pm, [T(randn(2, 3))], {"dims": [0, 1]})
    add("permute", "negative dims", pm, [T(randn(2, 3, 4))], {"dims": [-1, 0, -2]})
    add("permute", "4-d", pm, [T(randn(2, 1, 3, 2))], {"dims": [3, 1, 0, 2]})
    add("permute", "of a transpose", pm, [T(randn(4, 3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 2})], {"dims": [1, 2, 0]})

    rs = lambda xs, a: xs[0].reshape(tuple(a["shape"]))  # noqa: E731
    add("reshape", "2-d to 3-d", rs, [T(randn(4, 6))], {"shape": [2, 3, 4]})
    add("reshape", "with -1", rs, [T(randn(2, 3, 4))], {"shape": [-1, 4]})
    add("reshape", "-1 in middle", rs, [T(randn(2, 3, 4))], {"shape": [2, -1, 3]})
    add("reshape", "to 1-d", rs, [T(randn(2, 3))], {"shape": [-1]})
    add("reshape", "to 0-d", rs, [T(randn(1, 1))], {"shape": []})
    add("reshape", "from 0-d", rs, [T(randn())], {"shape": [1, 1]})
    add("reshape", "non-contiguous input", rs, [T(randn(3, 4), transform={"op": "transpose", "dim0": 0, "dim1": 1})], {"shape": [2, 6]})
    add("reshape", "permuted input", rs, [T(randn(2, 3, 4), transform={"op": "permute", "dims": [2, 0, 1]})], {"shape": [4, -1]})

    vw = lambda xs, a: xs[0].view(tuple(a["shape"]))  # noqa: E731
    add("view", "2-d to 3-d", vw, [T(randn(4, 6))], {"shape": [2, 3, 4]})
    add("view", "with -1", vw, [T(randn(2, 3, 4))], {"shape": [6, -1]})
    add("view", "to 1-d", vw, [T(randn(2, 3))], {"shape": [6]})
    add("view", "add unit dims", vw, [T(randn(2, 3))], {"shape": [1, 2, 1, 3]})

    def flat(xs, a):
        return torch.flatten(xs[0], a.get("startDim", 0), a.get("endDim", -1))

    add("flatten", "default", flat, [T(randn(2, 3, 4))])
    add("flatten", "startDim 1", flat, [T(randn(2, 3, 4))], {"startDim": 1})
    add("flatten", "startDim 0 endDim 1", flat, [T(randn(2, 3, 4))], {"startDim": 0, "endDim": 1})
    add("flatten", "negative dims", flat, [T(randn(2, 3, 4, 2))], {"startDim": -3, "endDim": -2})
    add("flatten", "1-d", flat, [T(randn(5))])
    add("flatten", "0-d", flat, [T(randn())])
    add("flatten", "transposed input", flat, [T(randn(3, 2, 4), transform={"op": "transpose", "dim0": 0, "dim1": 1})], {"startDim": 1})

    def sq(xs, a):
        return torch.squeeze(xs[0]) if "dim" not in a else torch.squeeze(xs[0], a["dim"])

    add("squeeze", "all", sq, [T(randn(3, 1, 4, 1))])
    add("squeeze", "dim 1", sq, [T(randn(3, 1, 4, 1))], {"dim": 1})
    add("squeeze", "dim -1", sq, [T(randn(3, 1, 4, 1))], {"dim": -1})
    add("squeeze", "non-1 dim is a no-op", sq, [T(randn(3, 1, 4))], {"dim": 0})
    add("squeeze", "all ones to 0-d", sq, [T(randn(1, 1))])

    usq = lambda xs, a: torch.unsqueeze(xs[0], a["dim"])  # noqa: E731
    add("unsqueeze", "dim 0", usq, [T(randn(2, 3))], {"dim": 0})
    add("unsqueeze", "dim 1", usq, [T(randn(2, 3))], {"dim": 1})
    add("unsqueeze", "dim -1", usq, [T(randn(2, 3))], {"dim": -1})
    add("unsqueeze", "dim -2", usq, [T(randn(2, 3))], {"dim": -2})
    add("unsqueeze", "0-d", usq, [T(randn())], {"dim": 0})
    add("unsqueeze", "transposed input", usq, [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1})], {"dim": 1})

    ex = lambda xs, a: xs[0].expand(tuple(a["shape"]))  # noqa: E731
    add("expand", "column", ex, [T(randn(3, 1))], {"shape": [3, 4]})
    add("expand", "new leading dims", ex, [T(randn(1, 3))], {"shape": [2, 4, 3]})
    add("expand", "-1 keeps dim", ex, [T(randn(3, 1))], {"shape": [-1, 5]})
    add("expand", "from 0-d", ex, [T(randn())], {"shape": [2, 3]})
    add("expand", "3-d middle", ex, [T(randn(2, 1, 4))], {"shape": [2, 3, 4]})
    add("expand", "same shape", ex, [T(randn(2, 3))], {"shape": [2, 3]})


def joins_and_slices():
    ct = lambda xs, a: torch.cat(xs, a.get("dim", 0))  # noqa: E731
    add("cat", "default dim", ct, [T(randn(2, 3)), T(randn(1, 3))])
    add("cat", "dim 1", ct, [T(randn(2, 3)), T(randn(2, 2))], {"dim": 1})
    add("cat", "dim -1 three inputs", ct, [T(randn(2, 1, 2)), T(randn(2, 1, 3)), T(randn(2, 1, 1))], {"dim": -1})
    add("cat", "one input no grad", ct, [T(randn(2, 3)), T(randn(2, 3), grad=False)], {"dim": 0})
    add("cat", "single input", ct, [T(randn(2, 3))], {"dim": 1})
    add(
        "cat",
        "transposed input",
        ct,
        [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(randn(2, 4))],
        {"dim": 1},
    )

    st = lambda xs, a: torch.stack(xs, a.get("dim", 0))  # noqa: E731
    add("stack", "default dim", st, [T(randn(2, 3)), T(randn(2, 3))])
    add("stack", "dim 1", st, [T(randn(2, 3)), T(randn(2, 3)), T(randn(2, 3))], {"dim": 1})
    add("stack", "dim -1", st, [T(randn(2, 3)), T(randn(2, 3))], {"dim": -1})
    add("stack", "0-d inputs", st, [T(randn()), T(randn()), T(randn())], {"dim": 0})
    add(
        "stack",
        "transposed input",
        st,
        [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(randn(2, 3), grad=False)],
        {"dim": 2},
    )

    def sp(xs, a):
        return list(torch.split(xs[0], a["sizeOrSections"], a.get("dim", 0)))

    add("split", "even size", sp, [T(randn(4, 3))], {"sizeOrSections": 2})
    add("split", "uneven size", sp, [T(randn(5, 3))], {"sizeOrSections": 2, "dim": 0})
    add("split", "sections dim 1", sp, [T(randn(2, 6))], {"sizeOrSections": [1, 3, 2], "dim": 1})
    add("split", "size dim -1", sp, [T(randn(2, 3, 5))], {"sizeOrSections": 3, "dim": -1})
    add("split", "transposed input", sp, [T(randn(3, 4), transform={"op": "transpose", "dim0": 0, "dim1": 1})], {"sizeOrSections": [3, 1]})

    def ch(xs, a):
        return list(torch.chunk(xs[0], a["chunks"], a.get("dim", 0)))

    add("chunk", "even", ch, [T(randn(4, 3))], {"chunks": 2})
    add("chunk", "uneven", ch, [T(randn(5, 3))], {"chunks": 3, "dim": 0})
    add("chunk", "fewer chunks than asked", ch, [T(randn(2, 5))], {"chunks": 4, "dim": 1})
    add("chunk", "dim -1", ch, [T(randn(2, 3, 6))], {"chunks": 3, "dim": -1})
    add("chunk", "one chunk", ch, [T(randn(2, 3))], {"chunks": 1})

    nr = lambda xs, a: torch.narrow(xs[0], a["dim"], a["start"], a["length"])  # noqa: E731
    add("narrow", "dim 0", nr, [T(randn(4, 3))], {"dim": 0, "start": 1, "length": 2})
    add("narrow", "dim 1", nr, [T(randn(2, 5))], {"dim": 1, "start": 2, "length": 3})
    add("narrow", "dim -1 3-d", nr, [T(randn(2, 3, 4))], {"dim": -1, "start": 0, "length": 1})
    add("narrow", "transposed input", nr, [T(randn(4, 3), transform={"op": "transpose", "dim0": 0, "dim1": 1})], {"dim": 1, "start": 1, "length": 3})

    def sl(xs, a):
        x = xs[0]
        idx = [slice(None)] * x.dim()
        idx[a["dim"] % x.dim()] = slice(a.get("start"), a.get("end"), a.get("step", 1))
        return x[tuple(idx)]

    add("slice", "start end", sl, [T(randn(5, 3))], {"dim": 0, "start": 1, "end": 4})
    add("slice", "step 2", sl, [T(randn(2, 7))], {"dim": 1, "start": 0, "end": 7, "step": 2})
    add("slice", "start only", sl, [T(randn(2, 5))], {"dim": 1, "start": 2})
    add("slice", "end only", sl, [T(randn(2, 5))], {"dim": -1, "end": 3})
    add("slice", "negative start", sl, [T(randn(6, 2))], {"dim": 0, "start": -3})
    add("slice", "negative end step 2", sl, [T(randn(2, 3, 7))], {"dim": -1, "start": 1, "end": -1, "step": 2})
    add("slice", "end past size", sl, [T(randn(4, 2))], {"dim": 0, "start": 1, "end": 10})
    add("slice", "step 3 defaults", sl, [T(randn(2, 8))], {"dim": 1, "start": None, "end": None, "step": 3})
    add(
        "slice",
        "of a slice",
        sl,
        [T(randn(2, 9), transform={"op": "slice", "dim": 1, "start": 1, "end": 9, "step": 2})],
        {"dim": 1, "start": 1, "end": 4},
    )


def indexing():
    def idx(*vals):
        return torch.tensor(vals, dtype=torch.int64)

    isel = lambda xs, a: torch.index_select(xs[0], a["dim"], xs[1])  # noqa: E731
    add("indexSelect", "dim 0", isel, [T(randn(4, 3)), T(idx(2, 0))], {"dim": 0})
    add("indexSelect", "dim 1 repeated", isel, [T(randn(2, 4)), T(idx(3, 1, 3, 0, 1))], {"dim": 1})
    add("indexSelect", "dim -1 3-d", isel, [T(randn(2, 3, 4)), T(idx(1, 1, 2))], {"dim": -1})
    add("indexSelect", "embedding lookup", isel, [T(randn(6, 4)), T(idx(5, 0, 5, 2, 2, 1))], {"dim": 0})
    add(
        "indexSelect",
        "transposed input",
        isel,
        [T(randn(3, 4), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(idx(0, 3, 3))],
        {"dim": 0},
    )

    gt = lambda xs, a: torch.gather(xs[0], a["dim"], xs[1])  # noqa: E731
    add("gather", "dim 1", gt, [T(randn(2, 3)), T(torch.tensor([[0, 2], [1, 1]]))], {"dim": 1})
    add("gather", "dim 0", gt, [T(randn(3, 2)), T(torch.tensor([[2, 0], [1, 2], [2, 2], [0, 0]]))], {"dim": 0})
    add("gather", "dim -1 3-d", gt, [T(randn(2, 3, 4)), T(randint(0, 4, 2, 3, 2))], {"dim": -1})
    add("gather", "dim 1 3-d smaller index", gt, [T(randn(2, 4, 3)), T(randint(0, 4, 1, 5, 2))], {"dim": 1})
    add("gather", "class scores pick", gt, [T(randn(4, 5)), T(torch.tensor([[3], [0], [4], [3]]))], {"dim": 1})
    add(
        "gather",
        "transposed input",
        gt,
        [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(torch.tensor([[2, 2], [0, 1]]))],
        {"dim": 1},
    )

    def mf(xs, a):
        v = a["value"]
        v = float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))
        return torch.masked_fill(xs[0], xs[1], v)

    add("maskedFill", "same shape", mf, [T(randn(2, 3)), T(bools(2, 3))], {"value": -2.5})
    add("maskedFill", "broadcast mask", mf, [T(randn(2, 3, 4)), T(bools(1, 4))], {"value": 0})
    add("maskedFill", "large negative", mf, [T(randn(3, 3)), T(torch.ones(3, 3).triu(1).bool())], {"value": -1e9})
    add(
        "maskedFill",
        "-Infinity causal mask",
        mf,
        [T(randn(3, 3)), T(torch.ones(3, 3).triu(1).bool())],
        {"value": "-Infinity"},
    )
    add(
        "maskedFill",
        "transposed input",
        mf,
        [T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(bools(2, 3))],
        {"value": 4},
    )

    def wh(xs, a):
        rest = list(xs[1:])
        x = a["a"] if "a" in a else rest.pop(0)
        y = a["b"] if "b" in a else rest.pop(0)
        if not torch.is_tensor(x):
            x = torch.tensor(float(x), dtype=y.dtype)
        if not torch.is_tensor(y):
            y = torch.tensor(float(y), dtype=x.dtype)
        return torch.where(xs[0], x, y)

    add("where", "same shape", wh, [T(bools(2, 3)), T(randn(2, 3)), T(randn(2, 3))])
    add("where", "broadcast all three", wh, [T(bools(3, 1)), T(randn(1, 4)), T(randn(2, 1, 1))])
    add("where", "scalar a", wh, [T(bools(2, 3)), T(randn(2, 3))], {"a": 0.5})
    add("where", "scalar b", wh, [T(bools(2, 3)), T(randn(3))], {"b": -1.25})
    add("where", "b no grad", wh, [T(bools(2, 3)), T(randn(2, 3)), T(randn(2, 3), grad=False)])
    add(
        "where",
        "transposed input",
        wh,
        [T(bools(2, 3)), T(randn(3, 2), transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(randn(2, 3))],
    )

    for op, tf in [("tril", torch.tril), ("triu", torch.triu)]:

        def fn(xs, a, tf=tf):
            return tf(xs[0], a.get("diagonal", 0))

        add(op, "square", fn, [T(randn(3, 3))])
        add(op, "diagonal 1", fn, [T(randn(3, 4))], {"diagonal": 1})
        add(op, "diagonal -1", fn, [T(randn(4, 3))], {"diagonal": -1})
        add(op, "batched", fn, [T(randn(2, 3, 3))], {"diagonal": 0})
        add(op, "transposed input", fn, [T(randn(4, 3), transform={"op": "transpose", "dim0": 0, "dim1": 1})])


def comparisons():
    for op, tf in [("eq", torch.eq), ("ne", torch.ne), ("lt", torch.lt), ("le", torch.le), ("gt", torch.gt), ("ge", torch.ge)]:
        fn = binary_fn(tf)
        a = randn(2, 3)
        b = randn(2, 3)
        b[0, 1] = a[0, 1]
        b[1, 2] = a[1, 2]  # some equal entries so eq/ne/le/ge are exercised
        add(op, "same shape", fn, [T(a, grad=False), T(b, grad=False)])
        a = randn(3, 1)
        b = randn(1, 4)
        b[0, 2] = a[1, 0]
        add(op, "broadcast both sides", fn, [T(a, grad=False), T(b, grad=False)])
        a = randn(2, 3)
        a[1, 1] = 0.25
        add(op, "scalar number", fn, [T(a, grad=False)], {"other": 0.25})
        add(
            op,
            "transposed input",
            fn,
            [T(randn(3, 2), grad=False, transform={"op": "transpose", "dim0": 0, "dim1": 1}), T(randn(3), grad=False)],
        )
        ia = torch.tensor([[0, 3, -2], [5, 1, 1]])
        ib = torch.tensor([1, 3, -2])
        add(op, "int32 inputs", fn, [T(ia), T(ib)])

    for op, tf in [("logicalAnd", torch.logical_and), ("logicalOr", torch.logical_or), ("logicalXor", torch.logical_xor)]:
        fn = lambda xs, a, tf=tf: tf(xs[0], xs[1])  # noqa: E731
        p = torch.tensor([True, True, False, False])
        q = torch.tensor([True, False, True, False])
        add(op, "truth table", fn, [T(p), T(q)])
        add(op, "broadcast", fn, [T(bools(3, 1)), T(bools(1, 4))])
        add(op, "2-d", fn, [T(bools(2, 3)), T(bools(2, 3))])
    fn = lambda xs, a: torch.logical_not(xs[0])  # noqa: E731
    add("logicalNot", "1-d", fn, [T(torch.tensor([True, False, True]))])
    add("logicalNot", "2-d", fn, [T(bools(2, 3))])
    add("logicalNot", "0-d", fn, [T(torch.tensor(False))])


def one_hot():
    def oh(xs, a):
        return F.one_hot(xs[0], a.get("numClasses", -1)).to(torch.int32)

    add("oneHot", "1-d explicit classes", oh, [T(torch.tensor([0, 2, 1, 4]))], {"numClasses": 5})
    add("oneHot", "1-d inferred classes", oh, [T(torch.tensor([1, 3, 0]))])
    add("oneHot", "numClasses -1", oh, [T(torch.tensor([2, 0]))], {"numClasses": -1})
    add("oneHot", "2-d", oh, [T(torch.tensor([[0, 1], [3, 1], [2, 2]]))], {"numClasses": 4})
    add("oneHot", "0-d", oh, [T(torch.tensor(2))], {"numClasses": 3})


def rnn_gates():
    """The fused LSTM/GRU gate primitives. lstmCellGates goes through torch.lstm_cell itself: with W_ih = I,
    W_hh = 0 and no biases its gate sums are exactly the `gates` input. torch.gru_cell has no such trick (gh
    and hPrev are tied through W_hh), so gruCellGates composes PyTorch's GRU formulas, after checking once
    that the composition reproduces torch.gru_cell."""

    def lstm(xs, a):
        gates, c_prev = xs
        rows, hidden = c_prev.shape
        eye = torch.eye(4 * hidden, dtype=gates.dtype)
        no_hh = torch.zeros(4 * hidden, hidden, dtype=gates.dtype)
        h, c = torch.lstm_cell(gates, (torch.zeros_like(c_prev), c_prev), eye, no_hh)
        return torch.cat([h, c], 1)

    def gru_formula(gx, gh, h_prev):
        xr, xz, xn = gx.chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1 - z) * n + z * h_prev

    x, h, w_ih, w_hh, b_ih, b_hh = (torch.randn(s, dtype=torch.float64) for s in [(3, 5), (3, 4), (12, 5), (12, 4), (12,), (12,)])
    want = torch.gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)
    got = gru_formula(x @ w_ih.t() + b_ih, h @ w_hh.t() + b_hh, h)
    assert torch.allclose(want, got, rtol=1e-12, atol=1e-12), "the composed GRU step differs from torch.gru_cell"

    def gru(xs, a):
        return gru_formula(*xs)

    tr = {"op": "transpose", "dim0": 0, "dim1": 1}
    for b, hid in [(2, 3), (1, 1), (4, 2)]:
        add("lstmCellGates", f"B {b} H {hid}", lstm, [T(randn(b, 4 * hid, scale=2.0)), T(randn(b, hid))])
        add("gruCellGates", f"B {b} H {hid}", gru, [T(randn(b, 3 * hid, scale=2.0)), T(randn(b, 3 * hid, scale=2.0)), T(randn(b, hid))])
    add("lstmCellGates", "saturating gates", lstm, [T(randn(3, 8, scale=6.0)), T(randn(3, 2, scale=3.0))])
    add("lstmCellGates", "cPrev no grad", lstm, [T(randn(2, 8, scale=2.0)), T(randn(2, 2), grad=False)])
    add("lstmCellGates", "transposed gates", lstm, [T(randn(12, 2, scale=2.0), transform=tr), T(randn(2, 3))])
    add("gruCellGates", "saturating gates", gru, [T(randn(3, 6, scale=6.0)), T(randn(3, 6, scale=6.0)), T(randn(3, 2, scale=3.0))])
    add("gruCellGates", "hPrev no grad", gru, [T(randn(2, 6, scale=2.0)), T(randn(2, 6, scale=2.0)), T(randn(2, 2), grad=False)])
    add("gruCellGates", "transposed gh", gru, [T(randn(2, 9, scale=2.0)), T(randn(9, 2, scale=2.0), transform=tr), T(randn(2, 3))])


def main():
    if not os.path.isdir(os.path.join("packages", "tensor")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_ops.py")
    elementwise_binary()
    elementwise_unary()
    softmaxes()
    reductions()
    matmuls()
    shape_ops()
    joins_and_slices()
    indexing()
    comparisons()
    one_hot()
    rnn_gates()
    layer_norms()
    linears()
    cross_entropies()

    write_cases(OUT_PATH, "tools/reference/generate_ops.py", torch.__version__, SEED, CASES, COUNTS, WARNINGS)


if __name__ == "__main__":
    main()
