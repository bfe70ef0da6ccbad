#!/usr/bin/env python3
"""Generate the safetensors fixtures for the @tensorloom/nn tests.

Run with Debian's system python (the one that has torch; Debian has no `safetensors` package, so the layout is
written here from the format's specification with struct + json):

    /usr/bin/python3 tools/reference/generate_safetensors.py

Writes, into packages/nn/test/fixtures/:
  * torch-mlp.safetensors / torch-mlp.json: the state_dict() of a seeded Sequential(Linear(4, 8), ReLU(),
    Linear(8, 3)), LayerNorm(3) and Embedding(10, 4, padding_idx=0) under the prefixes mlp., norm., emb.; the
    JSON has every tensor's values, one input per module and PyTorch's output for it;
  * torch-dtypes.safetensors / torch-dtypes.json: one torch tensor per dtype Tensorloom reads (F64, F32, F16,
    BF16, I64, I32, I16, I8, U8, BOOL), incl. 0-d, empty, subnormal and non-finite values, with the values
    torch widens them to (float32 for F16/BF16);
  * golden.safetensors: fixed tensors and metadata (repeated literally in safetensors-interop.test.ts) whose
    bytes Tensorloom's serializer must reproduce exactly.

The writer follows the reference implementation (huggingface/safetensors, `prepare` in tensor.rs): tensors sorted
by dtype alignment, largest first, then by name (UTF-8 byte order); compact JSON with `__metadata__` first and
fields in the order dtype, shape, data_offsets; header padded with spaces to a multiple of 8 bytes. The reference
keeps metadata in a hash map (unspecified order); both this writer and Tensorloom sort its keys. Output is
deterministic: rerunning with the same torch version gives byte-identical files.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_safetensors import read  # noqa: E402  (the spec-based reader checks everything written here)

SEED = 20240611
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "packages", "nn", "test", "fixtures")

# The reference's Dtype enum, in its (alignment) order.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
               "I64", "U64"]
TORCH_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}


def serialize(tensors, metadata=None) -> bytes:
    """tensors: [(name, dtype, shape, little-endian row-major bytes)] → the safetensors file's bytes."""
    items = sorted(tensors, key=lambda t: (-DTYPE_ORDER.index(t[1]), t[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=lambda k: k.encode("utf-8"))}
    offset = 0
    for name, dtype, shape, raw in items:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(raw for _, _, _, raw in items)


def torch_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are what we want
    return t.numpy().tobytes()


def torch_entry(name, t):
    return (name, TORCH_DTYPES[t.dtype], list(t.shape), torch_bytes(t))


def number(x):
    """JSON has no literal for non-finite floats; write them as strings, as ops.json does."""
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def values(t: torch.Tensor):
    t = t.detach()
    if t.dtype == torch.bool:
        t = t.to(torch.int32)
    elif t.dtype in (torch.float16, torch.bfloat16):
        t = t.to(torch.float32)  # exact
    return [number(x) for x in t.reshape(-1).tolist()]


def described(t: torch.Tensor, dtype_name=True):
    out = {"shape": list(t.shape), "data": values(t)}
    if dtype_name:
        out = {"dtype": TORCH_DTYPES[t.dtype], **out}
    return out


def write(name: str, content) -> None:
    path = os.path.join(OUT_DIR, name)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as fh:
        fh.write(content)
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(content)} {'bytes' if mode == 'wb' else 'chars'})")


def check_read_back(data: bytes, tensors: dict) -> None:
    """The spec reader must find exactly these tensors, bit for bit."""
    _, entries = read(data)
    assert sorted(n for n, *_ in entries) == sorted(tensors), "names differ"
    for name, dtype, shape, raw in entries:
        t = tensors[name]
        assert (dtype, shape) == (TORCH_DTYPES[t.dtype], list(t.shape)), name
        assert raw == torch_bytes(t), name


def torch_mlp():
    torch.manual_seed(SEED)
    mlp = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    norm = torch.nn.LayerNorm(3)
    emb = torch.nn.Embedding(10, 4, padding_idx=0)
    with torch.no_grad():  # LayerNorm starts at weight 1, bias 0; move them so loading them is visible
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.uniform_(-0.5, 0.5)
    state = {}
    for prefix, module in (("mlp", mlp), ("norm", norm), ("emb", emb)):
        for key, value in module.state_dict().items():
            state[f"{prefix}.{key}"] = value

    x = torch.randn(5, 4)
    xn = torch.randn(4, 3) * 2 + 0.5
    ids = torch.tensor([[0, 3, 9], [1, 0, 5]])
    with torch.no_grad():
        outputs = {"mlp": mlp(x), "norm": norm(xn), "emb": emb(ids)}

    data = serialize([torch_entry(k, v) for k, v in state.items()], {"format": "pt"})
    check_read_back(data, state)
    doc = {
        "generator": "tools/reference/generate_safetensors.py",
        "torch": torch.__version__,
        "seed": SEED,
        "metadata": {"format": "pt"},
        "stateDict": {k: described(v) for k, v in state.items()},
        "inputs": {
            "mlp": described(x, False),
            "norm": described(xn, False),
            "emb": {"dtype": "int32", "shape": list(ids.shape), "data": ids.reshape(-1).tolist()},
        },
        "outputs": {k: described(v, False) for k, v in outputs.items()},
    }
    write("torch-mlp.safetensors", data)
    write("torch-mlp.json", json.dumps(doc, indent=1, allow_nan=False) + "\n")


def torch_dtypes():
    gen = torch.Generator().manual_seed(SEED)
    inf, nan = math.inf, math.nan
    floats = [0.0, -0.0, 1.0, -2.5, 0.1, 1 / 3, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 1e-6, inf, -inf,
              nan]
    tensors = {
        "f64": torch.tensor([0.1, -1e300, 5e-324, inf, nan], dtype=torch.float64),
        "f32": torch.randn(2, 3, generator=gen),
        "f32.scalar": torch.tensor(1.5),
        "f16": torch.tensor(floats, dtype=torch.float16),
        "f16.matrix": torch.randn(3, 4, generator=gen).to(torch.float16),
        "f16.empty": torch.zeros(0, 2, dtype=torch.float16),
        "bf16": torch.tensor(floats + [3.0e38, 1e-40, -7.25], dtype=torch.bfloat16),
        "i64": torch.tensor([-(2**31), 2**31 - 1, 0, -1, 123456789], dtype=torch.int64),
        "i32": torch.tensor([[-(2**31), 2**31 - 1], [0, -7]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, 0, -1, 1234], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0, -1], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 1, 128], dtype=torch.uint8),
        "bool": torch.tensor([[True, False], [False, True]]),
    }
    data = serialize([torch_entry(k, v) for k, v in tensors.items()], None)
    check_read_back(data, tensors)
    doc = {
        "generator": "tools/reference/generate_safetensors.py",
        "torch": torch.__version__,
        "note": "data: the values torch gives for each tensor (F16/BF16 widened to float32, bool as 0/1)",
        "tensors": {k: described(v) for k, v in tensors.items()},
    }
    write("torch-dtypes.safetensors", data)
    write("torch-dtypes.json", json.dumps(doc, indent=1, allow_nan=False) + "\n")


# Repeated literally in packages/nn/test/safetensors-interop.test.ts: names that need JSON escaping, that sort
# differently by UTF-16 unit and by UTF-8 byte ('z\ufffd' < 'z😀' only in UTF-8), '10' < '2', every written dtype,
# 0-d and empty tensors, -0, ±inf, subnormals, int32 extremes; metadata keys that sort and escape.
GOLDEN = [
    ("weight", "F32", [2, 3], [0.1, -2.5, 3.25, math.inf, -0.0, 1e-45]),
    ("bias", "F64", [3], [0.1, -1e300, 5e-324]),
    ("scalar", "F64", [], [3.5]),
    ("empty", "F32", [0, 3], []),
    ("layers.10.w", "F32", [1], [10.0]),
    ("layers.2.w", "F32", [1], [2.0]),
    ("ids", "I32", [2, 2], [-(2**31), 2**31 - 1, 0, -1]),
    ('émbed\t"q"', "I32", [1], [7]),
    ("mask", "BOOL", [4], [1, 0, 0, 1]),
    ("z\ufffd", "BOOL", [1], [1]),
    ("z\U0001F600", "BOOL", [1], [0]),
]
GOLDEN_METADATA = {"format": "pt", "note": "tensorloom golden ✓", 'a"key': "line1\nline2", "1": "numeric-looking key"}
PACK = {"F32": "f", "F64": "d", "I32": "i", "BOOL": "B"}


def golden():
    tensors = [(name, dtype, shape, struct.pack(f"<{len(xs)}{PACK[dtype]}", *xs)) for name, dtype, shape, xs in GOLDEN]
    data = serialize(tensors, GOLDEN_METADATA)
    metadata, entries = read(data)
    assert metadata == GOLDEN_METADATA and len(entries) == len(GOLDEN)
    write("golden.safetensors", data)


def main():
    assert sys.byteorder == "little", "numpy's tobytes() must already be little-endian"
    assert np.little_endian
    os.makedirs(OUT_DIR, exist_ok=True)
    torch_mlp()
    torch_dtypes()
    golden()


if __name__ == "__main__":
    main()
