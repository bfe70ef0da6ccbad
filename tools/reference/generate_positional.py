#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the @tensorloom/positional tests.

Run from the repository root with Debian's system python (the one that has torch):

    /usr/bin/python3 tools/reference/generate_positional.py

Writes packages/positional/test/fixtures/positional.json, replayed by packages/positional/test/reference.test.ts.
The output is deterministic: every case draws its inputs from its own seed (derived from the case name), so
adding or reordering cases leaves the others byte-identical. See tools/reference/README.md ("Positional
encodings") for the file format.

- Sinusoidal tables: the PyTorch tutorial's construction (position * exp(arange(0, d, 2) * -ln(base)/d), sin into
  the even columns, cos into the odd ones), made to work for odd d by giving the cosines one frequency fewer, in
  float64.
- Rotary embeddings, from two independent torch formulations: the half-rotation convention as Hugging Face's
  LLaMA code writes it (q * cos + rotate_half(q) * sin, with cos = cat(freqs, freqs).cos()), and the interleaved
  convention as Meta's LLaMA reference code writes it (adjacent pairs as complex numbers times polar(1, freqs)).
  Optionally only the first `dim` features rotate (GPT-NeoX's rotary_pct).

As in generate_ops.py, inputs are exact float32 values, the reference is computed in float64, and each case is
re-run in float32 PyTorch and must agree within the test tolerance (rtol 1e-4, atol 1e-5).
"""

from __future__ import annotations

import json
import math
import os
import sys
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_ops import close, encode, fnum  # noqa: E402  (shared number encoding and tolerance check)

SEED = 20240614
OUT_PATH = os.path.join("packages", "positional", "test", "fixtures", "positional.json")

WARNINGS: list[str] = []
NAMES: set[str] = set()


def generator_for(name: str) -> torch.Generator:
    return torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))


def f32(t: torch.Tensor) -> torch.Tensor:
    """Round to 4 decimals, then to float32, and hold the result as float64 (exact float32 values)."""
    return torch.round(t.double() * 1e4).div(1e4).float().double()


def encode_ref(t: torch.Tensor) -> dict:
    return {"shape": list(t.shape), "data": [fnum(v) for v in t.detach().contiguous().flatten().tolist()]}


def check(name: str, ref: torch.Tensor, got: torch.Tensor) -> None:
    if not close(ref, got):
        WARNINGS.append(f"{name}: float32 PyTorch differs from the float64 reference beyond tolerance")


# --------------------------------------------------------------------------------------------
# Sinusoidal tables
# --------------------------------------------------------------------------------------------


def sinusoidal(length: int, d: int, base: float, dtype: torch.dtype) -> torch.Tensor:
    position = torch.arange(length, dtype=dtype).unsqueeze(1)  # [T, 1]
    div_term = torch.exp(torch.arange(0, d, 2, dtype=dtype) * (-math.log(base) / d))  # [ceil(d/2)]
    pe = torch.zeros(length, d, dtype=dtype)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term[: d // 2])  # odd d: one cosine column fewer
    return pe


def sinusoidal_cases() -> list[dict]:
    cases = []
    for length, d, base in [(7, 6, 10000.0), (5, 5, 10000.0), (6, 4, 100.0)]:
        name = f"sinusoidal/length {length} d {d} base {base:g}"
        assert name not in NAMES, name
        NAMES.add(name)
        ref = sinusoidal(length, d, base, torch.float64)
        check(name, ref, sinusoidal(length, d, base, torch.float32))
        cases.append({"name": name, "length": length, "d": d, "base": base, "table": encode_ref(ref)})
    return cases


# --------------------------------------------------------------------------------------------
# Rotary embeddings
# --------------------------------------------------------------------------------------------


def angles(length: int, offset: int, dim: int, base: float, dtype: torch.dtype) -> torch.Tensor:
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=dtype) / dim))  # [dim/2]
    t = torch.arange(offset, offset + length, dtype=dtype)  # [T]
    return torch.outer(t, inv_freq)  # [T, dim/2]


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def rope_half(x: torch.Tensor, freqs: torch.Tensor) -> torch.Tensor:
    """Hugging Face LLaMA's apply_rotary_pos_emb on one tensor."""
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, dim]
    return x * emb.cos() + rotate_half(x) * emb.sin()


def rope_interleaved(x: torch.Tensor, freqs: torch.Tensor) -> torch.Tensor:
    """Meta LLaMA's apply_rotary_emb on one tensor: adjacent pairs as complex numbers."""
    pairs = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2).contiguous())  # [..., T, dim/2]
    freqs_cis = torch.polar(torch.ones_like(freqs), freqs)  # [T, dim/2]
    return torch.view_as_real(pairs * freqs_cis).flatten(-2)


def rope(x: torch.Tensor, dim: int, base: float, interleaved: bool, offset: int) -> torch.Tensor:
    freqs = angles(x.shape[-2], offset, dim, base, x.dtype)
    part, rest = x[..., :dim], x[..., dim:]
    rotated = rope_interleaved(part, freqs) if interleaved else rope_half(part, freqs)
    return torch.cat((rotated, rest), dim=-1)


def rotary_cases() -> list[dict]:
    cases = []
    specs = [
        # (label, q shape [B, H, T, Dh], k shape, dim, base, offset)
        ("", (2, 2, 5, 8), (2, 2, 5, 8), 8, 10000.0, 0),
        ("offset 3", (2, 2, 5, 8), (2, 2, 5, 8), 8, 10000.0, 3),
        ("partial dim 4 of 6", (1, 2, 4, 6), (1, 2, 4, 6), 4, 10000.0, 2),
        ("base 100 decode step", (2, 3, 1, 4), (2, 3, 1, 4), 4, 100.0, 9),
    ]
    for interleaved in (False, True):
        for label, q_shape, k_shape, dim, base, offset in specs:
            convention = "interleaved" if interleaved else "half"
            name = f"rotary/{convention} {label} [{','.join(map(str, q_shape))}]".replace("  ", " ")
            assert name not in NAMES, name
            NAMES.add(name)
            gen = generator_for(name)
            q = f32(torch.randn(q_shape, generator=gen, dtype=torch.float64))
            k = f32(torch.randn(k_shape, generator=gen, dtype=torch.float64))
            outs = [rope(x, dim, base, interleaved, offset) for x in (q, k)]
            for ref, x in zip(outs, (q, k)):
                check(name, ref, rope(x.float(), dim, base, interleaved, offset))
            cases.append(
                {
                    "name": name,
                    "dim": dim,
                    "base": base,
                    "interleaved": interleaved,
                    "offset": offset,
                    "q": encode(q.float(), exact_f32=True),
                    "k": encode(k.float(), exact_f32=True),
                    "outputs": [encode_ref(o) for o in outs],
                }
            )
    return cases


def main():
    if not os.path.isdir(os.path.join("packages", "positional")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/reference/generate_positional.py")
    doc = {
        "generator": "tools/reference/generate_positional.py",
        "torch": torch.__version__,
        "seed": SEED,
        "sinusoidal": sinusoidal_cases(),
        "rotary": rotary_cases(),
    }
    if WARNINGS:
        print("\n".join(WARNINGS), file=sys.stderr)
        sys.exit(f"{len(WARNINGS)} fixture(s) are not attainable in float32 within tolerance")
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # one case per line: small diffs, still compact
    text = text.replace(',{"name":', ',\n{"name":').replace('[{"name":', '[\n{"name":')
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as fh:
        fh.write(text + "\n")
    print(f"wrote {OUT_PATH}: {len(doc['sinusoidal'])} sinusoidal and {len(doc['rotary'])} rotary cases, {len(text) / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
