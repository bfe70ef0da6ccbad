#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/losses conformance test.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_losses.py

Writes packages/losses/test/fixtures/losses.json. Deterministic (fixed seed, fixed case order). The numbers
are made exactly as in generate_ops.py (see tools/reference/README.md): exact float32 inputs, a float64
reference rounded to 8 significant digits, and a float32 PyTorch run that must agree within the test
tolerance. The file format is ops.json's, with each input naming its loss argument (see the README's "Losses" section).

Every case is a call of a torch.nn.functional loss (or, for sequenceCrossEntropy, cross_entropy on the
flattened steps with padding and masked steps set to ignore_index). The generator refuses to write a case
whose PyTorch result is not finite: the one place we deliberately differ from PyTorch (a 'mean' over zero
total weight is 0, not NaN) is tested by hand in packages/losses/test/stability.test.ts.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240612
RTOL = 1e-4
ATOL = 1e-5
OUT_PATH = os.path.join("packages", "losses", "test", "fixtures", "losses.json")
MAX_BYTES = 400 * 1024

# klDiv's reduction='mean' is PyTorch's default and we test it on purpose; its deprecation warning is noise.
warnings.filterwarnings("ignore", message="reduction: 'mean' divides the total loss")

torch.manual_seed(SEED)
GEN = torch.Generator().manual_seed(SEED)

# --------------------------------------------------------------------------------------------
# Values: float64 tensors holding exact float32 values (as generate_ops.py).
# --------------------------------------------------------------------------------------------


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to 4 decimals, then to float32, and hold the result as float64."""
    return torch.round(t.double() * 1e4).div(1e4).float().double()


def randn(*shape, scale=1.0):
    return f32(torch.randn(tuple(shape), generator=GEN, dtype=torch.float64) * scale)


def uniform(lo, hi, *shape):
    return f32(torch.rand(tuple(shape), generator=GEN, dtype=torch.float64) * (hi - lo) + lo)


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, tuple(shape), generator=GEN, dtype=torch.int64)


def log_probs(*shape, dim):
    return f32(torch.log_softmax(torch.randn(tuple(shape), generator=GEN, dtype=torch.float64) * 1.5, dim))


def probs(*shape, dim):
    return f32(torch.softmax(torch.randn(tuple(shape), generator=GEN, dtype=torch.float64) * 1.5, dim))


def away_from_zero(*shape, margin=0.05):
    t = randn(*shape)
    return f32(torch.where(t.abs() < margin, t.sign() * margin * 2 + (t == 0) * margin * 2, t))


def bools_with_both(*shape, p_true=0.7):
    while True:
        t = torch.rand(tuple(shape), generator=GEN) < p_true
        if t.any() and not t.all():
            return t


# --------------------------------------------------------------------------------------------
# Encoding (identical to generate_ops.py)
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


class Inp:
    """A named loss argument: input, target, weight, posWeight or mask."""

    def __init__(self, name: str, value: torch.Tensor, grad: bool = False):
        self.name = name
        self.value = value
        self.grad = grad


def shape_str(s):
    return "[" + ",".join(str(d) for d in s) + "]"


def run(fn, inputs: list[Inp], args: dict, dtype: torch.dtype, cot=None):
    leaves = {}
    for inp in inputs:
        v = inp.value.to(dtype) if inp.value.is_floating_point() else inp.value
        leaves[inp.name] = v.clone().requires_grad_(inp.grad)
    out = fn(leaves, args)
    if cot is None:
        # Reduced (scalar) losses: the gradient of the loss itself; 'none': of sum(out * R).
        reduced = args.get("reduction", "mean") != "none"
        cot = torch.ones((), dtype=torch.float64) if reduced else randn(*out.shape)
    want = [inp for inp in inputs if inp.grad]
    grads = {}
    if want:
        gs = torch.autograd.grad((out * cot.to(out.dtype)).sum(), [leaves[i.name] for i in want], allow_unused=True)
        for inp, g in zip(want, gs):
            grads[inp.name] = torch.zeros_like(leaves[inp.name]) if g is None else g
    return out, cot, grads


def close(ref: torch.Tensor, got: torch.Tensor) -> bool:
    ref = ref.double()
    got = got.double()
    if ref.shape != got.shape:
        return False
    return bool(((ref - got).abs() <= ATOL + RTOL * ref.abs()).all())


def add(op: str, label: str, fn, inputs: list[Inp], args: dict | None = None, extra: dict | None = None):
    args = dict(args or {})
    name = f"{op}/{label} " + " ".join(shape_str(i.value.shape) for i in inputs)
    assert name not in NAMES, name
    NAMES.add(name)

    out, cot, grads = run(fn, inputs, args, torch.float64)
    finite = [out] + list(grads.values())
    if not all(bool(torch.isfinite(t).all()) for t in finite):
        sys.exit(f"{name}: PyTorch gives a non-finite result; such cases are tested by hand, not fixtures")

    out32, _, grads32 = run(fn, inputs, args, torch.float32, cot=cot)
    if not close(out, out32):
        WARNINGS.append(f"{name}: float32 torch output differs from float64 reference beyond tolerance")
    for k, g in grads.items():
        if not close(g, grads32[k]):
            WARNINGS.append(f"{name}: float32 torch grad of {k} differs from float64 reference beyond tolerance")

    case = {"name": name, "op": op, "args": args, "inputs": []}
    for inp in inputs:
        e = {"arg": inp.name, **encode(inp.value, exact_f32=True), "requiresGrad": inp.grad}
        case["inputs"].append(e)
    case["output"] = encode(out)
    if extra:
        case.update(extra)
    case["cotangent"] = [encode(cot, exact_f32=True, with_dtype=False)]
    case["grads"] = [encode(grads[i.name], with_dtype=False) if i.grad else None for i in inputs]
    CASES.append(case)
    COUNTS[op] = COUNTS.get(op, 0) + 1


def opt(a: dict, key: str, default):
    return a[key] if key in a else default


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------

# name: (input shape, target shape); the class dim is 1, or 0 for the unbatched [C] layout.
LAYOUTS = {
    "[N,C]": ((4, 5), (4,)),
    "[N,C,d]": ((2, 4, 3), (2, 3)),
    "[N,C,d1,d2]": ((2, 3, 2, 2), (2, 2, 2)),
    "[C]": ((5,), ()),
}
REDUCTIONS = ["none", "mean", "sum"]
SMOOTHING = 0.15


def reduction_args(reduction):
    return {} if reduction == "mean" else {"reduction": reduction}  # 'mean' is the default: omit it


def class_targets(target_shape, classes, ignore):
    """Class indices with the ignore variant: 'none' (all real), 'default' (some -100), or 'custom' (some 1)."""
    if target_shape == ():
        # Unbatched: one target. 'custom' keeps the option set but not hit; 'default' ignores the only target.
        return torch.tensor(-100 if ignore == "default" else 3)
    while True:
        t = randint(0, classes, *target_shape)
        if ignore == "default":
            t = torch.where(torch.rand(target_shape, generator=GEN) < 0.3, torch.tensor(-100), t)
            hit = t == -100
        elif ignore == "custom":
            hit = t == 1
        else:
            return t
        if hit.any() and not hit.all():
            return t


def ce(xs, a):
    return F.cross_entropy(
        xs["input"],
        xs["target"],
        weight=xs.get("weight"),
        ignore_index=opt(a, "ignoreIndex", -100),
        reduction=opt(a, "reduction", "mean"),
        label_smoothing=opt(a, "labelSmoothing", 0.0),
    )


def nll(xs, a):
    return F.nll_loss(
        xs["input"],
        xs["target"],
        weight=xs.get("weight"),
        ignore_index=opt(a, "ignoreIndex", -100),
        reduction=opt(a, "reduction", "mean"),
    )


def cross_entropy_class_index():
    for layout, (ishape, tshape) in LAYOUTS.items():
        classes = ishape[1 if len(ishape) > 1 else 0]
        for ignore in ["none", "default", "custom"]:
            for weighted in [False, True]:
                for eps in [0.0, SMOOTHING]:
                    for reduction in REDUCTIONS:
                        if tshape == () and ignore == "default" and reduction == "mean":
                            continue  # every target ignored: PyTorch NaN, ours 0 (tested by hand)
                        args = reduction_args(reduction)
                        if ignore == "custom":
                            args["ignoreIndex"] = 1
                        if eps:
                            args["labelSmoothing"] = eps
                        inputs = [Inp("input", randn(*ishape, scale=2.0), grad=True)]
                        inputs.append(Inp("target", class_targets(tshape, classes, ignore)))
                        if weighted:
                            inputs.append(Inp("weight", uniform(0.2, 2.0, classes)))
                        label = " ".join(
                            [layout, reduction, "weighted" if weighted else "unweighted"]
                            + [{"none": "no ignored", "default": "ignore -100", "custom": "ignoreIndex 1"}[ignore]]
                            + ([f"smoothing {eps}"] if eps else [])
                        )
                        add("crossEntropy", label, ce, inputs, args)
    # large logits: log-softmax must not overflow (float32 PyTorch agrees at this scale)
    for reduction in REDUCTIONS:
        inputs = [
            Inp("input", randn(4, 5, scale=40.0), grad=True),
            Inp("target", torch.tensor([1, -100, 4, 0])),
            Inp("weight", uniform(0.2, 2.0, 5)),
        ]
        args = {**reduction_args(reduction), "labelSmoothing": 0.3}
        add("crossEntropy", f"large logits {reduction} weighted ignore -100 smoothing 0.3", ce, inputs, args)
    inputs = [Inp("input", randn(3, 4), grad=True), Inp("target", torch.tensor([0, 3, 2]))]
    add("crossEntropy", "smoothing 1", ce, inputs, {"labelSmoothing": 1.0})
    add(
        "crossEntropy",
        "negative custom ignoreIndex",
        ce,
        [Inp("input", randn(4, 3), grad=True), Inp("target", torch.tensor([2, -1, 0, -1]))],
        {"ignoreIndex": -1},
    )


def cross_entropy_probabilities():
    for layout, (ishape, _) in LAYOUTS.items():
        class_dim = 1 if len(ishape) > 1 else 0
        classes = ishape[class_dim]
        for weighted in [False, True]:
            for eps in [0.0, SMOOTHING]:
                for reduction in REDUCTIONS:
                    args = reduction_args(reduction)
                    if eps:
                        args["labelSmoothing"] = eps
                    inputs = [
                        Inp("input", randn(*ishape, scale=2.0), grad=True),
                        Inp("target", probs(*ishape, dim=class_dim), grad=True),
                    ]
                    if weighted:
                        inputs.append(Inp("weight", uniform(0.2, 2.0, classes)))
                    label = " ".join(
                        [layout, "probabilities", reduction, "weighted" if weighted else "unweighted"]
                        + ([f"smoothing {eps}"] if eps else [])
                    )
                    add("crossEntropy", label, ce, inputs, args)
    add(
        "crossEntropy",
        "probabilities unnormalized soft targets",
        ce,
        [Inp("input", randn(3, 4), grad=True), Inp("target", uniform(0.0, 1.0, 3, 4), grad=True)],
    )


def nll_loss():
    for layout, (ishape, tshape) in LAYOUTS.items():
        class_dim = 1 if len(ishape) > 1 else 0
        classes = ishape[class_dim]
        for ignore in ["none", "default", "custom"]:
            for weighted in [False, True]:
                for reduction in REDUCTIONS:
                    if tshape == () and ignore == "default" and reduction == "mean":
                        continue  # every target ignored: PyTorch NaN, ours 0 (tested by hand)
                    args = reduction_args(reduction)
                    if ignore == "custom":
                        args["ignoreIndex"] = 1
                    inputs = [
                        Inp("input", log_probs(*ishape, dim=class_dim), grad=True),
                        Inp("target", class_targets(tshape, classes, ignore)),
                    ]
                    if weighted:
                        inputs.append(Inp("weight", uniform(0.2, 2.0, classes)))
                    label = " ".join(
                        [layout, reduction, "weighted" if weighted else "unweighted"]
                        + [{"none": "no ignored", "default": "ignore -100", "custom": "ignoreIndex 1"}[ignore]]
                    )
                    add("nllLoss", label, nll, inputs, args)


def regression():
    for op, tf in [("mseLoss", F.mse_loss), ("l1Loss", F.l1_loss)]:

        def fn(xs, a, tf=tf):
            return tf(xs["input"], xs["target"], reduction=opt(a, "reduction", "mean"))

        for shape in [(), (5,), (2, 3, 4)]:
            for reduction in REDUCTIONS:
                x = randn(*shape)
                y = f32(x + away_from_zero(*shape))  # |x − y| ≥ 0.1: away from l1's kink
                inputs = [Inp("input", x, grad=True), Inp("target", y, grad=True)]
                add(op, reduction, fn, inputs, reduction_args(reduction))
        x = randn(3, 2)
        inputs = [Inp("input", x, grad=True), Inp("target", f32(x + away_from_zero(3, 2)))]
        add(op, "target no grad", fn, inputs, {"reduction": "sum"})


def bce(xs, a):
    return F.binary_cross_entropy_with_logits(
        xs["input"],
        xs["target"],
        weight=xs.get("weight"),
        pos_weight=xs.get("posWeight"),
        reduction=opt(a, "reduction", "mean"),
    )


def binary_cross_entropy():
    op = "binaryCrossEntropyWithLogits"
    for weight in ["none", "per class", "per element"]:
        for pos in [False, True]:
            for reduction in REDUCTIONS:
                soft = (weight != "per class") == pos  # alternate soft and hard (0/1) targets
                y = uniform(0.0, 1.0, 4, 3) if soft else randint(0, 2, 4, 3).double()
                inputs = [Inp("input", randn(4, 3, scale=2.0), grad=True), Inp("target", y, grad=True)]
                if weight == "per class":
                    inputs.append(Inp("weight", uniform(0.2, 2.0, 3)))
                elif weight == "per element":
                    inputs.append(Inp("weight", uniform(0.2, 2.0, 4, 3)))
                if pos:
                    inputs.append(Inp("posWeight", uniform(0.5, 4.0, 3)))
                label = f"{reduction} weight {weight}{' posWeight' if pos else ''} {'soft' if soft else 'hard'} targets"
                add(op, label, bce, inputs, reduction_args(reduction))
    add(
        op,
        "3-d posWeight per class weight per row",
        bce,
        [
            Inp("input", randn(2, 3, 4), grad=True),
            Inp("target", uniform(0.0, 1.0, 2, 3, 4), grad=True),
            Inp("weight", uniform(0.2, 2.0, 3, 1)),
            Inp("posWeight", uniform(0.5, 4.0, 4)),
        ],
    )
    one = torch.tensor(1.0, dtype=torch.float64)
    add(op, "0-d", bce, [Inp("input", randn(), grad=True), Inp("target", one, grad=True)], {"reduction": "sum"})
    inputs = [
        Inp("input", randn(5), grad=True),
        Inp("target", randint(0, 2, 5).double()),
        Inp("posWeight", uniform(0.5, 4.0, 5)),
    ]
    add(op, "1-d posWeight 1-d", bce, inputs, {"reduction": "none"})
    inputs = [
        Inp("input", torch.tensor([[30.0, -30.0, 25.0], [-25.0, 18.0, -40.0]], dtype=torch.float64), grad=True),
        Inp("target", torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]], dtype=torch.float64)),
        Inp("posWeight", uniform(0.5, 4.0, 3)),
    ]
    add(op, "large logits", bce, inputs, {"reduction": "none"})


def kl(xs, a):
    reduction = opt(a, "reduction", "mean")
    return F.kl_div(xs["input"], xs["target"], reduction=reduction, log_target=opt(a, "logTarget", False))


def kl_divergence():
    for shape in [(4, 5), (2, 3, 4)]:
        for log_target in [False, True]:
            for reduction in ["none", "mean", "sum", "batchmean"]:
                args = reduction_args(reduction)
                if log_target:
                    args["logTarget"] = True
                target = log_probs(*shape, dim=-1) if log_target else probs(*shape, dim=-1)
                inputs = [Inp("input", log_probs(*shape, dim=-1), grad=True), Inp("target", target, grad=True)]
                add("klDiv", f"{reduction}{' logTarget' if log_target else ''}", kl, inputs, args)
    inputs = [Inp("input", f32(torch.tensor(-0.7)), grad=True), Inp("target", f32(torch.tensor(0.3)), grad=True)]
    add("klDiv", "0-d batchmean", kl, inputs, {"reduction": "batchmean"})
    t = probs(3, 4, dim=-1)
    t[0, 1] = 0.0
    t[2, 3] = 0.0
    inputs = [Inp("input", log_probs(3, 4, dim=-1), grad=True), Inp("target", t)]
    add("klDiv", "zero target entries", kl, inputs, {"reduction": "sum"})


def sequence_ce(xs, a):
    logits, targets = xs["input"], xs["target"]
    real = torch.ones_like(targets, dtype=torch.bool)
    if "padIndex" in a:
        real = real & (targets != a["padIndex"])
    if "mask" in xs:
        real = real & xs["mask"]
    ignored = torch.where(real, targets, torch.full_like(targets, -100))
    batch, steps, vocab = logits.shape
    out = F.cross_entropy(
        logits.reshape(-1, vocab),
        ignored.reshape(-1),
        reduction=opt(a, "reduction", "mean"),
        label_smoothing=opt(a, "labelSmoothing", 0.0),
    )
    return out.reshape(batch, steps) if opt(a, "reduction", "mean") == "none" else out


def sequence():
    B, T, V = 2, 4, 5
    for variant in ["no padding", "padIndex 0", "mask", "padIndex 0 and mask"]:
        for eps in [0.0, 0.1]:
            for reduction in REDUCTIONS:
                targets = randint(1, V, B, T)
                args = reduction_args(reduction)
                inputs = [Inp("input", randn(B, T, V, scale=2.0), grad=True)]
                real = torch.ones(B, T, dtype=torch.bool)
                if "padIndex" in variant:
                    args["padIndex"] = 0
                    targets[0, 3:] = 0  # padded tail
                    targets[1, 2:] = 0
                    real &= targets != 0
                inputs.append(Inp("target", targets))
                if "mask" in variant:
                    mask = torch.tensor([[True, True, True, False], [True, True, False, False]])
                    mask[1, 0] = False
                    targets[0, 3] = 7 if "padIndex" not in variant else 0  # masked steps may hold anything
                    targets[1, 0] = -1
                    real &= mask
                    inputs.append(Inp("mask", mask))
                if eps:
                    args["labelSmoothing"] = eps
                label = " ".join([variant, reduction] + ([f"smoothing {eps}"] if eps else []))
                add("sequenceCrossEntropy", label, sequence_ce, inputs, args, extra={"tokens": int(real.sum())})


def main():
    if not os.path.isdir(os.path.join("packages", "losses")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_losses.py")
    cross_entropy_class_index()
    cross_entropy_probabilities()
    nll_loss()
    regression()
    binary_cross_entropy()
    kl_divergence()
    sequence()

    if WARNINGS:
        print("\n".join(WARNINGS), file=sys.stderr)
        sys.exit(f"{len(WARNINGS)} fixture(s) are not attainable in float32 within tolerance")

    doc = {"generator": "tools/reference/generate_losses.py", "torch": torch.__version__, "seed": SEED, "cases": CASES}
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # one case per line: small diffs, still compact
    text = text.replace(',{"name":', ',\n{"name":').replace('"cases":[{"name":', '"cases":[\n{"name":')
    if len(text) > MAX_BYTES:
        sys.exit(f"{OUT_PATH} would be {len(text) / 1024:.1f} KiB (limit {MAX_BYTES // 1024} KiB); trim cases")
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as fh:
        fh.write(text + "\n")
    print(f"wrote {OUT_PATH}: {len(CASES)} cases, {len(text) / 1024:.1f} KiB")
    for op in sorted(COUNTS):
        print(f"  {op}: {COUNTS[op]}")


if __name__ == "__main__":
    main()
