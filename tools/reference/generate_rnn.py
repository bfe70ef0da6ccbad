#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/nn-rnn tests.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_rnn.py

Writes packages/nn-rnn/test/fixtures/rnn.json, replayed by packages/nn-rnn/test/reference.test.ts. The output
is deterministic: every case draws its module init, input, initial states and cotangents from its own seed
(derived from the case name), so adding or reordering cases leaves the others byte-identical. See
tools/reference/README.md ("Recurrent layers") for the file format.

Each case is a torch.nn recurrent cell (RNNCell, LSTMCell, GRUCell) or layer (RNN, LSTM, GRU) built from a
Tensorloom-style config, with its state_dict as PyTorch initialised it, an input, optional initial states and
optional per-sequence lengths. Layers with lengths run as pack_padded_sequence(x, lengths,
enforce_sorted=False) -> layer -> pad_packed_sequence(total_length=T). Recorded: the outputs (cells: h' or
[h', c']; layers: [output, hN] or [output, hN, cN]), one random cotangent R_k per output, and the gradients of
sum_k sum(output_k * R_k) w.r.t. the input, the initial states and every parameter. As in generate_ops.py the
reference is computed in float64 from exact float32 values, and each case is re-run in float32 PyTorch and
must agree within the test tolerance (rtol 1e-4, atol 1e-5).
"""

from __future__ import annotations

import copy
import os
import sys
import zlib

import torch

from fixture_io import write_cases
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_ops import close, encode, fnum  # noqa: E402  (shared number encoding and tolerance check)

SEED = 20240613
OUT_PATH = os.path.join("packages", "nn-rnn", "test", "fixtures", "rnn.json")
CELLS = ("RNNCell", "LSTMCell", "GRUCell")

# Sizes: small enough to keep the fixture compact, large enough that every gate block and direction matters.
# Stacked bidirectional layers use a narrower hidden state (H2): their parameter count grows with H².
B, T, IN, H, H2 = 3, 4, 3, 5, 3


# --------------------------------------------------------------------------------------------
# Modules from Tensorloom configs. A spec is {"type": <Tensorloom class>, <options by their
# Tensorloom names>}; omitted keys take the default. Cells take inputSize and hiddenSize as
# constructor arguments, layers one options object; both are written the same way here.
# --------------------------------------------------------------------------------------------


def build(spec: dict) -> nn.Module:
    kind = spec["type"]
    kwargs = {"bias": spec.get("bias", True)}
    if kind in ("RNNCell", "RNN"):
        kwargs["nonlinearity"] = spec.get("nonlinearity", "tanh")
    if kind not in CELLS:
        kwargs.update(
            num_layers=spec.get("numLayers", 1),
            batch_first=spec.get("batchFirst", False),
            dropout=spec.get("dropout", 0.0),
            bidirectional=spec.get("bidirectional", False),
        )
    return getattr(nn, kind)(spec["inputSize"], spec["hiddenSize"], **kwargs)


def encode_ref(t: torch.Tensor) -> dict:
    """A float64 reference (output or gradient) to 6 significant digits: 200x finer than the test's rtol 1e-4,
    and a third shorter than the 8 digits of the other fixtures."""
    return {"shape": list(t.shape), "data": [fnum(v, 6) for v in t.detach().contiguous().flatten().tolist()]}


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to 4 decimals, then to float32, and hold the result as float64 (exact float32 values)."""
    return torch.round(t.double() * 1e4).div(1e4).float().double()


def randn(gen: torch.Generator, shape, scale=1.0) -> torch.Tensor:
    return (f32(torch.randn(tuple(shape), generator=gen, dtype=torch.float64)) * scale).float().double()


# --------------------------------------------------------------------------------------------
# Running a case in one dtype
# --------------------------------------------------------------------------------------------


def run(module: nn.Module, spec: dict, x, states, lengths, cots, dtype):
    """Outputs, and with cotangents the grads of sum_k sum(out_k * R_k) w.r.t. x, the states and the parameters."""
    kind = spec["type"]
    m = copy.deepcopy(module).to(dtype)
    leaf = x.to(dtype).clone().requires_grad_(True)
    state_leaves = [s.to(dtype).clone().requires_grad_(True) for s in states] if states else []
    hx = None
    if states:
        hx = tuple(state_leaves) if kind in ("LSTM", "LSTMCell") else state_leaves[0]
    if kind in CELLS:
        out = m(leaf, hx)
        outs = list(out) if kind == "LSTMCell" else [out]
    else:
        if lengths is None:
            out, hn = m(leaf, hx)
        else:
            batch_first = spec.get("batchFirst", False)
            packed = pack_padded_sequence(leaf, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
            out, hn = m(packed, hx)
            out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=x.shape[1 if batch_first else 0])
        outs = [out] + (list(hn) if kind == "LSTM" else [hn])
    if cots is None:
        return outs, None, None, None
    params = list(m.named_parameters())
    wrt = [leaf] + state_leaves + [p for _, p in params]
    loss = sum((o * c.to(dtype)).sum() for o, c in zip(outs, cots))
    gs = torch.autograd.grad(loss, wrt, allow_unused=True)
    gs = [torch.zeros_like(w) if g is None else g for w, g in zip(wrt, gs)]
    gx = gs[0]
    g_states = gs[1 : 1 + len(state_leaves)]
    g_params = {name: g for (name, _), g in zip(params, gs[1 + len(state_leaves) :])}
    return outs, gx, g_states, g_params


# --------------------------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------------------------

CASES: list[dict] = []
NAMES: set[str] = set()
COUNTS: dict[str, int] = {}
WARNINGS: list[str] = []


def shape_str(s):
    return "[" + ",".join(str(d) for d in s) + "]"


def add(label: str, spec: dict, x_shape, with_state: bool = False, lengths=None):
    """One case: `spec` built by PyTorch, run on a random input of x_shape (and random initial states)."""
    kind = spec["type"]
    name = f"{kind}/{label} {shape_str(x_shape)}"
    assert name not in NAMES, name
    NAMES.add(name)
    seed = (SEED + zlib.crc32(name.encode())) % 2**63
    torch.manual_seed(seed)  # the module's init draws from the global generator
    gen = torch.Generator().manual_seed(seed)
    module = build(spec)
    module.eval()  # every case runs in eval mode (dropout between layers is off)
    with torch.no_grad():  # PyTorch's init, rounded to 4 decimals so that the fixture stays compact
        for p in module.parameters():
            p.copy_(f32(p))

    x = randn(gen, x_shape)
    states = None
    if with_state:
        # Shapes as PyTorch expects them: cells [B, H] or [H]; layers [L*D, B, H] or [L*D, H].
        hidden = spec["hiddenSize"]
        if kind in CELLS:
            state_shape = (hidden,) if len(x_shape) == 1 else (x_shape[0], hidden)
        else:
            layers = spec.get("numLayers", 1) * (2 if spec.get("bidirectional", False) else 1)
            batched = len(x_shape) == 3
            batch = x_shape[0 if spec.get("batchFirst", False) else 1] if batched else None
            state_shape = (layers, batch, hidden) if batched else (layers, hidden)
        n_states = 2 if kind in ("LSTM", "LSTMCell") else 1
        states = [randn(gen, state_shape, scale=0.5) for _ in range(n_states)]

    outs64, _, _, _ = run(module, spec, x, states, lengths, None, torch.float64)
    cots = [randn(gen, o.shape) for o in outs64]
    outs64, gx64, gs64, gp64 = run(module, spec, x, states, lengths, cots, torch.float64)
    outs32, gx32, gs32, gp32 = run(module, spec, x, states, lengths, cots, torch.float32)
    for k, (a, b) in enumerate(zip(outs64, outs32)):
        if not close(a.detach(), b.detach()):
            WARNINGS.append(f"{name}: float32 torch output {k} differs from the float64 reference beyond tolerance")
    for what, a, b in [("input", gx64, gx32)] + [(f"state {k}", a, b) for k, (a, b) in enumerate(zip(gs64, gs32))]:
        if not close(a, b):
            WARNINGS.append(f"{name}: float32 torch grad of {what} differs from the float64 reference beyond tolerance")
    for k in gp64:
        if not close(gp64[k], gp32[k]):
            WARNINGS.append(f"{name}: float32 torch grad of {k} differs from the float64 reference beyond tolerance")

    state = module.state_dict()
    keys = list(state.keys())
    assert keys == [k for k, _ in module.named_parameters()], "recurrent modules have no buffers"
    assert all(v.dtype == torch.float32 for v in state.values())
    CASES.append(
        {
            "name": name,
            "module": spec,
            "stateDictKeys": keys,
            "stateDict": {k: encode(v, exact_f32=True) for k, v in state.items()},
            "input": encode(x, exact_f32=True),
            "state": None if states is None else [encode(s, exact_f32=True) for s in states],
            "lengths": lengths,
            "outputs": [encode_ref(o) for o in outs64],
            "cotangents": [encode(c, exact_f32=True, with_dtype=False) for c in cots],
            "grads": {
                "input": encode_ref(gx64),
                "state": None if states is None else [encode_ref(g) for g in gs64],
                "params": {k: encode_ref(g) for k, g in gp64.items()},
            },
        }
    )
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------


def cells():
    for kind in CELLS:
        spec = {"type": kind, "inputSize": IN, "hiddenSize": H}
        add("with state", spec, (B, IN), with_state=True)
        add("zero state", spec, (B, IN))
        add("no bias", {**spec, "bias": False}, (B, IN), with_state=True)
        add("unbatched with state", spec, (IN,), with_state=True)
    add("relu with state", {"type": "RNNCell", "inputSize": IN, "hiddenSize": H, "nonlinearity": "relu"}, (B, IN), True)
    add("relu unbatched", {"type": "RNNCell", "inputSize": IN, "hiddenSize": H, "nonlinearity": "relu"}, (IN,))


def layers():
    for kind in ("RNN", "LSTM", "GRU"):
        spec = {"type": kind, "inputSize": IN, "hiddenSize": H}
        two = {**spec, "numLayers": 2}
        bi = {**spec, "bidirectional": True}
        two_bi = {**two, "bidirectional": True, "hiddenSize": H2}
        add("1 layer zero state", spec, (T, B, IN))
        add("1 layer with state", spec, (T, B, IN), with_state=True)
        add("no bias", {**spec, "bias": False}, (T, B, IN), with_state=True)
        add("2 layers with state", two, (T, B, IN), with_state=True)
        add("bidirectional zero state", bi, (T, B, IN))
        add("2 layers bidirectional with state", two_bi, (T, B, IN), with_state=True)
        add("batchFirst 2 layers bidirectional with state", {**two_bi, "batchFirst": True}, (B, T, IN), True)
        add("unbatched bidirectional with state", bi, (T, IN), with_state=True)
        # Variable lengths, unsorted; [3, 1, 2] leaves the last step padded everywhere (total_length = T).
        add("lengths [2,4,1]", spec, (T, B, IN), lengths=[2, 4, 1])
        add("lengths [3,1,2] with state", spec, (T, B, IN), with_state=True, lengths=[3, 1, 2])
        add("bidirectional lengths [2,4,1]", bi, (T, B, IN), lengths=[2, 4, 1])
        add("2 layers bidirectional lengths [3,1,2] with state", two_bi, (T, B, IN), True, lengths=[3, 1, 2])
        add("batchFirst bidirectional lengths [1,4,3] with state", {**bi, "batchFirst": True}, (B, T, IN), True, [1, 4, 3])
    add(
        "relu 2 layers bidirectional with state",
        {"type": "RNN", "inputSize": IN, "hiddenSize": H2, "numLayers": 2, "bidirectional": True, "nonlinearity": "relu"},
        (T, B, IN),
        with_state=True,
    )
    add(
        "relu lengths [2,4,1]",
        {"type": "RNN", "inputSize": IN, "hiddenSize": H, "nonlinearity": "relu"},
        (T, B, IN),
        lengths=[2, 4, 1],
    )
    # Dropout acts between layers in training only; in eval mode the layer must ignore it.
    add("2 layers dropout 0.5 in eval mode", {"type": "LSTM", "inputSize": IN, "hiddenSize": H2, "numLayers": 2, "dropout": 0.5}, (T, B, IN))


def main():
    if not os.path.isdir(os.path.join("packages", "nn-rnn")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_rnn.py")
    cells()
    layers()

    write_cases(OUT_PATH, "tools/reference/generate_rnn.py", torch.__version__, SEED, CASES, COUNTS, WARNINGS)


if __name__ == "__main__":
    main()
