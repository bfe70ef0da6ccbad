#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/optim tests.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_optim.py

Writes packages/optim/test/fixtures/optim.json. The output is deterministic (fixed seed, fixed
case order). See tools/reference/README.md ("Optimizers, clipping and schedules") for the format.

How the numbers are produced:
  * initial parameters and gradients are exact float32 values (random values rounded to 4
    decimals, then to float32), written in their shortest float32 round-trip form;
  * optimizers and clipping run in float32 PyTorch (single-tensor algorithms, foreach=False), and
    the parameters after every step are float32 PyTorch's own values, written exactly (shortest
    float32 round-trip). Unlike ops.json these are not float64 references: rounding compounds
    from step to step, and an implementation that follows PyTorch's operation order should land
    on the same float32 values;
  * as a conditioning check every optimizer and clipping case is also run in float64 from the
    same inputs; the generator refuses to write the file if float32 and float64 differ by more
    than the test tolerance (atol 2e-6, rtol 1e-5), so no case hinges on one rounding;
  * learning rates are Python doubles, written in their shortest round-trip form.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as sched

SEED = 20240612
RTOL = 1e-5
ATOL = 2e-6
STEPS = 6
SCHEDULER_STEPS = 30
OUT_PATH = os.path.join("packages", "optim", "test", "fixtures", "optim.json")

warnings.filterwarnings("ignore")  # scheduler-order and deprecation warnings are expected here
torch.manual_seed(SEED)
GEN = torch.Generator().manual_seed(SEED)

# Gradients are scaled per step so that magnitudes vary (amsgrad's running max matters).
STEP_SCALES = [1.5, 1.0, 0.3, 0.6, 0.2, 1.2, 0.8, 0.4]

# --------------------------------------------------------------------------------------------
# Values and encoding
# --------------------------------------------------------------------------------------------


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to 4 decimals, then to float32, and hold the result as float64."""
    return torch.round(t.double() * 1e4).div(1e4).float().double()


def randn(*shape, scale=1.0):
    return f32(torch.randn(tuple(shape), generator=GEN, dtype=torch.float64) * scale)


def f32num(v: float):
    """Shortest decimal that round-trips to the same float32."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    r = float(str(np.float32(v)))
    if r == 0.0:
        return 0
    if r == int(r) and abs(r) < 1e15:
        return int(r)
    return r


def dnum(v: float):
    """A double, exactly (Python's shortest repr); non-finite values as strings."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e15:
        return int(v)
    return v


def enc32(t: torch.Tensor | None) -> dict | None:
    if t is None:
        return None
    t = t.detach().contiguous().float()
    return {"shape": list(t.shape), "data": [f32num(v) for v in t.flatten().tolist()]}


def close(ref: torch.Tensor, got: torch.Tensor) -> bool:
    ref = ref.double()
    got = got.double()
    return bool(((ref - got).abs() <= ATOL + RTOL * ref.abs()).all())


# --------------------------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------------------------

DOC: dict = {"optimizers": [], "clipping": [], "schedulers": [], "stateDicts": []}
NAMES: set[str] = set()
COUNTS: dict[str, int] = {}
WARNINGS: list[str] = []


def register(section: str, kind: str, case: dict) -> None:
    assert case["name"] not in NAMES, case["name"]
    NAMES.add(case["name"])
    DOC[section].append(case)
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


# --------------------------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------------------------

OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}

# Tensorloom option name (camelCase) -> PyTorch keyword.
SNAKE = {
    "weightDecay": "weight_decay",
    "lrDecay": "lr_decay",
    "initialAccumulatorValue": "initial_accumulator_value",
    "stepSize": "step_size",
    "tMax": "T_max",
    "etaMin": "eta_min",
    "startFactor": "start_factor",
    "endFactor": "end_factor",
    "totalIters": "total_iters",
    "thresholdMode": "threshold_mode",
    "minLr": "min_lr",
}


def kwargs(options: dict) -> dict:
    return {SNAKE.get(k, k): (tuple(v) if k == "betas" else v) for k, v in options.items()}


def run_optimizer(kind, options, groups, params0, grads, dtype):
    params = [p.to(dtype).clone().requires_grad_(True) for p in params0]
    if groups is None:
        spec = params
    else:
        spec = [{**kwargs({k: v for k, v in g.items() if k != "params"}), "params": [params[i] for i in g["params"]]} for g in groups]
    opt = OPTIMIZERS[kind](spec, foreach=False, **kwargs(options))
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.to(dtype).clone()
        opt.step()
        history.append([p.detach().clone() for p in params])
    return history


def optimizer_case(kind, label, options, shapes=((2, 3), (4,)), groups=None, none_at=None, steps=STEPS):
    """`none_at` maps a step number to the indices of params whose grad is None at that step."""
    none_at = none_at or {}
    params0 = [randn(*s) for s in shapes]
    grads = [
        [None if i in none_at.get(k, ()) else randn(*s, scale=STEP_SCALES[k]) for i, s in enumerate(shapes)]
        for k in range(steps)
    ]
    name = f"{kind.lower()}/{label}"
    h32 = run_optimizer(kind, options, groups, params0, grads, torch.float32)
    h64 = run_optimizer(kind, options, groups, params0, grads, torch.float64)
    for k, (a, b) in enumerate(zip(h32, h64)):
        for i, (x, y) in enumerate(zip(a, b)):
            if not close(y, x):
                err = (x.double() - y).abs().max().item()
                WARNINGS.append(f"{name}: step {k + 1} param {i}: float32 vs float64 differ by {err:.3g}")
    case = {"name": name, "optimizer": kind, "options": options}
    if groups is not None:
        case["groups"] = groups
    case["params"] = [enc32(p) for p in params0]
    case["steps"] = [
        {"grads": [enc32(g) for g in step_grads], "params": [enc32(p) for p in after]}
        for step_grads, after in zip(grads, h32)
    ]
    register("optimizers", kind, case)


def torch_state_json(value):
    """A PyTorch state-dict value as a user would export it to JSON: tensors as nested lists (float32 values)."""
    if torch.is_tensor(value):
        if value.dim() == 0:
            return f32num(value.item())
        return json.loads(json.dumps(value.float().tolist()), parse_float=lambda x: f32num(float(x)))
    if isinstance(value, (list, tuple)):
        return [torch_state_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): torch_state_json(v) for k, v in value.items()}
    return value


def state_dict_case(kind, label, options, split=3, steps=STEPS, shapes=((2, 3), (4,))):
    """PyTorch trains `split` steps and saves opt.state_dict() in JSON form; the test loads it into a fresh
    optimizer over PyTorch's parameters at that point and must reproduce PyTorch's remaining steps."""
    params0 = [randn(*s) for s in shapes]
    grads = [[randn(*s, scale=STEP_SCALES[k]) for s in shapes] for k in range(steps)]
    params = [p.float().clone().requires_grad_(True) for p in params0]
    opt = OPTIMIZERS[kind](params, foreach=False, **kwargs(options))
    history, saved, params_at_split = [], None, None
    for k, step_grads in enumerate(grads):
        if k == split:
            saved = torch_state_json(opt.state_dict())
            params_at_split = [enc32(p) for p in params]
        for p, g in zip(params, step_grads):
            p.grad = g.float().clone()
        opt.step()
        history.append([p.detach().clone() for p in params])
    case = {
        "name": f"state dict/{kind.lower()}/{label}",
        "optimizer": kind,
        "options": options,
        "params": params_at_split,
        "torchStateDict": saved,
        "steps": [
            {"grads": [enc32(g) for g in step_grads], "params": [enc32(p) for p in after]}
            for step_grads, after in list(zip(grads, history))[split:]
        ],
    }
    register("stateDicts", "state dict", case)


def state_dicts():
    state_dict_case("Adam", "amsgrad weightDecay", {"lr": 0.01, "weightDecay": 0.1, "amsgrad": True})
    state_dict_case("AdamW", "defaults lr 0.01", {"lr": 0.01})
    state_dict_case("SGD", "nesterov", {"lr": 0.1, "momentum": 0.9, "nesterov": True})
    state_dict_case("RMSprop", "centered momentum", {"lr": 0.01, "momentum": 0.5, "centered": True})
    state_dict_case("Adagrad", "lrDecay", {"lr": 0.1, "lrDecay": 0.01, "initialAccumulatorValue": 0.1})


def sgd():
    c = lambda label, options, **kw: optimizer_case("SGD", label, options, **kw)  # noqa: E731
    c("plain", {"lr": 0.1})
    c("momentum", {"lr": 0.1, "momentum": 0.9})
    c("momentum dampening", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5})
    c("nesterov", {"lr": 0.1, "momentum": 0.9, "nesterov": True})
    c("weight decay", {"lr": 0.1, "weightDecay": 0.1})
    c("maximize", {"lr": 0.1, "maximize": True})
    c("momentum weight decay maximize", {"lr": 0.05, "momentum": 0.8, "weightDecay": 0.01, "maximize": True})
    c("nesterov weight decay", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.05})
    c("two groups", {"lr": 0.1}, groups=[{"params": [0], "lr": 0.5}, {"params": [1], "momentum": 0.9}])
    c("grad None on some steps", {"lr": 0.1, "momentum": 0.9}, none_at={0: [1], 2: [0], 3: [1]})
    c("large params", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}, shapes=((20,), (4, 5)))


def adam(kind="Adam"):
    c = lambda label, options, **kw: optimizer_case(kind, label, options, **kw)  # noqa: E731
    c("defaults", {})
    c("lr betas eps", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6})
    c("weight decay", {"lr": 0.05, "weightDecay": 0.1})
    c("amsgrad", {"lr": 0.05, "amsgrad": True})
    c("maximize", {"lr": 0.05, "maximize": True})
    c("amsgrad weight decay maximize", {"lr": 0.02, "amsgrad": True, "weightDecay": 0.05, "maximize": True})
    c("two groups", {"lr": 0.05}, groups=[{"params": [0]}, {"params": [1], "lr": 0.01, "betas": [0.5, 0.9]}])
    c("grad None on some steps", {"lr": 0.05, "amsgrad": True}, none_at={0: [1], 2: [0], 3: [0, 1]})
    c("large params", {"lr": 0.05, "weightDecay": 0.01}, shapes=((20,), (4, 5)))


def adamw():
    c = lambda label, options, **kw: optimizer_case("AdamW", label, options, **kw)  # noqa: E731
    c("defaults", {})
    c("weight decay", {"lr": 0.05, "weightDecay": 0.1})
    c("amsgrad", {"lr": 0.05, "amsgrad": True})
    c("maximize", {"lr": 0.05, "maximize": True, "weightDecay": 0.05})
    c("no weight decay", {"lr": 0.05, "weightDecay": 0})
    c("two groups", {"lr": 0.05}, groups=[{"params": [0], "weightDecay": 0}, {"params": [1], "lr": 0.01}])
    c("grad None on some steps", {"lr": 0.05}, none_at={0: [0], 4: [1]})
    c("large params", {"lr": 0.05, "amsgrad": True}, shapes=((20,), (4, 5)))


def rmsprop():
    c = lambda label, options, **kw: optimizer_case("RMSprop", label, options, **kw)  # noqa: E731
    c("defaults", {})
    c("alpha eps", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6})
    c("centered", {"lr": 0.01, "centered": True})
    c("momentum", {"lr": 0.01, "momentum": 0.9})
    c("centered momentum weight decay", {"lr": 0.01, "centered": True, "momentum": 0.5, "weightDecay": 0.1})
    c("maximize", {"lr": 0.01, "maximize": True})
    c("two groups", {"lr": 0.01}, groups=[{"params": [0], "centered": True}, {"params": [1], "lr": 0.05, "momentum": 0.9}])
    c("grad None on some steps", {"lr": 0.01, "momentum": 0.9, "centered": True}, none_at={1: [0], 2: [1], 5: [0]})
    c("large params", {"lr": 0.01, "centered": True, "momentum": 0.9}, shapes=((20,), (4, 5)))


def adagrad():
    c = lambda label, options, **kw: optimizer_case("Adagrad", label, options, **kw)  # noqa: E731
    c("defaults", {})
    c("lr decay", {"lr": 0.1, "lrDecay": 0.1})
    c("weight decay", {"lr": 0.1, "weightDecay": 0.1})
    c("initial accumulator eps", {"lr": 0.1, "initialAccumulatorValue": 0.1, "eps": 1e-6})
    c("maximize", {"lr": 0.1, "maximize": True})
    c("two groups", {"lr": 0.1}, groups=[{"params": [0], "lr": 0.5, "lrDecay": 0.05}, {"params": [1]}])
    c("grad None on some steps", {"lr": 0.1, "lrDecay": 0.01}, none_at={0: [1], 3: [0]})
    c("large params", {"lr": 0.1, "weightDecay": 0.01}, shapes=((20,), (4, 5)))


# --------------------------------------------------------------------------------------------
# Gradient clipping
# --------------------------------------------------------------------------------------------


def clip_norm_case(label, max_norm, norm_type, shapes, scale=1.0, none=()):
    grads = [None if i in none else randn(*s, scale=scale) for i, s in enumerate(shapes)]
    results = {}
    for dtype in (torch.float32, torch.float64):
        params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.to(dtype).clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        results[dtype] = (total, [p.grad for p in params])
    (t32, g32), (t64, g64) = results[torch.float32], results[torch.float64]
    name = f"clipGradNorm/{label}"
    ok = close(t64, t32) and all(a is None or close(b, a) for a, b in zip(g32, g64))
    if not ok:
        WARNINGS.append(f"{name}: float32 vs float64 differ beyond tolerance")
    case = {
        "name": name,
        "fn": "clipGradNorm",
        "args": {"maxNorm": max_norm, "normType": dnum(float(norm_type))},
        "grads": [enc32(g) for g in grads],
        "totalNorm": f32num(t32.item()),
        "clipped": [enc32(g) for g in g32],
    }
    register("clipping", "clipGradNorm", case)


def clip_value_case(label, clip_value, shapes, none=()):
    grads = [None if i in none else randn(*s) for i, s in enumerate(shapes)]
    params = [torch.zeros(s, requires_grad=True) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = None if g is None else g.float().clone()
    torch.nn.utils.clip_grad_value_(params, clip_value)
    case = {
        "name": f"clipGradValue/{label}",
        "fn": "clipGradValue",
        "args": {"clipValue": clip_value},
        "grads": [enc32(g) for g in grads],
        "clipped": [enc32(p.grad) for p in params],
    }
    register("clipping", "clipGradValue", case)


def clipping():
    shapes = ((2, 3), (4,), (5,))
    clip_norm_case("L2 clips", 1.0, 2, shapes)
    clip_norm_case("L2 no-op under the max", 100.0, 2, shapes)
    clip_norm_case("L2 large params", 0.5, 2, ((20,), (4, 5)))
    clip_norm_case("L2 skips grad None", 0.8, 2, shapes, none=(1,))
    clip_norm_case("L1 clips", 2.0, 1, shapes)
    clip_norm_case("L1 no-op under the max", 50.0, 1, shapes)
    clip_norm_case("inf clips", 0.5, math.inf, shapes)
    clip_norm_case("inf no-op under the max", 10.0, math.inf, shapes)
    clip_norm_case("p=3 clips", 1.0, 3, shapes)
    clip_norm_case("one param", 0.25, 2, ((3, 3),))
    clip_value_case("clips both signs", 0.5, shapes)
    clip_value_case("no-op", 10.0, shapes)
    clip_value_case("skips grad None", 0.3, shapes, none=(0,))


# --------------------------------------------------------------------------------------------
# Learning-rate schedulers
# --------------------------------------------------------------------------------------------


def noam(d_model, warmup, scale):
    return lambda step: scale * d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)


# Named lambdas; the test has the same table (test/schedulers.test.ts).
LAMBDAS = {
    "exp95": lambda epoch: 0.95 ** epoch,
    "warmup5": lambda epoch: min(1.0, (epoch + 1) / 5),
    "halfEvery4": lambda epoch: 0.5 ** (epoch // 4),
}


def build_scheduler(opt, spec):
    kind = spec["type"]
    if kind == "SequentialLR":
        children = [build_scheduler(opt, s) for s in spec["schedulers"]]
        return sched.SequentialLR(opt, children, milestones=spec["milestones"])
    if kind == "ChainedScheduler":
        return sched.ChainedScheduler([build_scheduler(opt, s) for s in spec["schedulers"]])
    if kind == "LambdaLR":
        names = spec["lambdas"]
        fns = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
        return sched.LambdaLR(opt, fns)
    if kind == "InverseSqrtLR":
        # Noam's schedule sets the lr outright: LambdaLR on base lr 1, at step number lastEpoch + 1.
        o = spec["options"]
        fn = noam(o["dModel"], o["warmup"], o.get("scale", 1.0))
        for g in opt.param_groups:
            g["lr"] = 1.0
        return sched.LambdaLR(opt, lambda epoch: fn(epoch + 1))
    return getattr(sched, kind)(opt, **kwargs(spec.get("options", {})))


def scheduler_case(label, spec, lrs, metrics=None, steps=SCHEDULER_STEPS):
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0])
    s = build_scheduler(opt, spec)
    history = [[g["lr"] for g in opt.param_groups]]
    for k in range(steps):
        opt.step()  # no grads: a no-op that keeps PyTorch's call-order bookkeeping happy
        if metrics is None:
            s.step()
        else:
            s.step(metrics[k])
        history.append([g["lr"] for g in opt.param_groups])
        last = s.get_last_lr() if hasattr(s, "get_last_lr") else s._last_lr
        assert list(last) == history[-1] or spec["type"] in ("SequentialLR",), (label, last, history[-1])
    case = {"name": f"{spec['type']}/{label}", "lrs0": lrs, "scheduler": spec}
    if metrics is not None:
        case["metrics"] = [dnum(m) for m in metrics]
    case["lrs"] = [[dnum(v) for v in row] for row in history]
    register("schedulers", spec["type"], case)


def schedulers():
    cosine = lambda t, e=0.0: {"type": "CosineAnnealingLR", "options": {"tMax": t, "etaMin": e}}  # noqa: E731
    linear = lambda s, e, n: {"type": "LinearLR", "options": {"startFactor": s, "endFactor": e, "totalIters": n}}  # noqa: E731
    scheduler_case("step 3 gamma 0.5", {"type": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}}, [0.1, 0.02])
    scheduler_case("default gamma", {"type": "StepLR", "options": {"stepSize": 7}}, [1.0])
    scheduler_case(
        "repeated milestone", {"type": "MultiStepLR", "options": {"milestones": [3, 7, 7, 12], "gamma": 0.3}}, [0.1, 0.5]
    )
    scheduler_case("gamma 0.9", {"type": "ExponentialLR", "options": {"gamma": 0.9}}, [0.1, 0.03])
    scheduler_case("tMax 10 etaMin 0.001 past tMax", cosine(10, 0.001), [0.1, 0.05])
    scheduler_case("tMax 7 etaMin 0", cosine(7), [1.0])
    scheduler_case("tMax 1", cosine(1, 0.01), [0.1])
    scheduler_case("warm-up 0.1 to 1 over 8", linear(0.1, 1.0, 8), [0.1, 0.02])
    scheduler_case("decay 1 to 0.05 over 10", linear(1.0, 0.05, 10), [0.5])
    scheduler_case("one lambda", {"type": "LambdaLR", "lambdas": "exp95"}, [0.1, 0.2])
    scheduler_case("lambda per group", {"type": "LambdaLR", "lambdas": ["warmup5", "halfEvery4"]}, [0.1, 0.2])
    scheduler_case(
        "warm-up then cosine",
        {"type": "SequentialLR", "schedulers": [linear(0.1, 1.0, 5), cosine(20, 1e-4)], "milestones": [5]},
        [0.1, 0.01],
    )
    scheduler_case(
        "three phases",
        {
            "type": "SequentialLR",
            "schedulers": [
                linear(0.25, 1.0, 4),
                {"type": "ExponentialLR", "options": {"gamma": 0.8}},
                {"type": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}},
            ],
            "milestones": [4, 12],
        },
        [0.2],
    )
    scheduler_case(
        "chained warm-up and cosine",
        {"type": "ChainedScheduler", "schedulers": [linear(0.1, 1.0, 6), cosine(25, 0.0)]},
        [0.1, 0.05],
    )
    scheduler_case("noam dModel 16 warmup 10 scale 2", {"type": "InverseSqrtLR", "options": {"dModel": 16, "warmup": 10, "scale": 2.0}}, [1.0, 1.0])
    scheduler_case("noam dModel 512 warmup 4", {"type": "InverseSqrtLR", "options": {"dModel": 512, "warmup": 4}}, [1.0])

    plateau = lambda **o: {"type": "ReduceLROnPlateau", "options": o}  # noqa: E731
    falling_then_flat = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7, 0.7, 0.7, 0.7, 0.7, 0.65, 0.65, 0.65,
                         0.65, 0.65, 0.65, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    rising = [0.1, 0.2, 0.25, 0.26, 0.27, 0.4, 0.41, 0.42, 0.43, 0.5, 0.5, 0.5, 0.62, 0.6, 0.6,
              0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    scheduler_case("min rel patience 2 cooldown 1", plateau(mode="min", factor=0.5, patience=2, cooldown=1),
                   [0.1, 0.02], metrics=falling_then_flat)
    scheduler_case("min abs threshold 0.05", plateau(mode="min", factor=0.5, patience=1, threshold=0.05, thresholdMode="abs"),
                   [0.1], metrics=falling_then_flat)
    scheduler_case("max abs minLr per group", plateau(mode="max", factor=0.3, patience=1, threshold=0.05, thresholdMode="abs",
                   minLr=[0.01, 0.001]), [0.1, 0.05], metrics=rising)
    scheduler_case("max rel defaults", plateau(mode="max", patience=3), [0.1], metrics=rising)
    scheduler_case("eps ignores tiny updates", plateau(mode="min", factor=0.5, patience=0, eps=1e-3, minLr=1e-4),
                   [0.01, 0.004], metrics=falling_then_flat)


def main():
    if not os.path.isdir(os.path.join("packages", "optim")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_optim.py")
    sgd()
    adam("Adam")
    adamw()
    rmsprop()
    adagrad()
    clipping()
    schedulers()
    state_dicts()

    if WARNINGS:
        print("\n".join(WARNINGS), file=sys.stderr)
        sys.exit(f"{len(WARNINGS)} fixture(s) are ill-conditioned: float32 and float64 differ beyond tolerance")

    doc = {"generator": "tools/reference/generate_optim.py", "torch": torch.__version__, "seed": SEED, **DOC}
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # one case per line: small diffs, still compact
    for key in ("optimizers", "clipping", "schedulers", "stateDicts"):
        text = text.replace(f'"{key}":[{{"name":', f'"{key}":[\n{{"name":')
    text = text.replace(',{"name":', ',\n{"name":')
    with open(OUT_PATH, "w") as fh:
        fh.write(text + "\n")
    total = sum(COUNTS.values())
    print(f"wrote {OUT_PATH}: {total} cases, {len(text) / 1024:.1f} KiB")
    for kind in COUNTS:
        print(f"  {kind}: {COUNTS[kind]}")


if __name__ == "__main__":
    main()
