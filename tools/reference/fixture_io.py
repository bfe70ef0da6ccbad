"""Writing a fixture file, shared by the generators: refuse unattainable cases, then one case per line."""

import json
import os
import sys


def write_cases(path, generator, torch_version, seed, cases, counts, warnings):
    """Exits with the warnings if any; else writes {generator, torch, seed, cases} to path as compact JSON."""
    if warnings:
        print("\n".join(warnings), file=sys.stderr)
        sys.exit(f"{len(warnings)} fixture(s) are not attainable in float32 within tolerance")

    doc = {"generator": generator, "torch": torch_version, "seed": seed, "cases": cases}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # one case per line: small diffs, still compact
    text = text.replace(',{"name":', ',\n{"name":').replace('"cases":[{"name":', '"cases":[\n{"name":')
    with open(path, "w") as fh:
        fh.write(text + "\n")
    print(f"wrote {path}: {len(cases)} cases, {len(text) / 1024:.1f} KiB")
    for kind in sorted(counts):
        print(f"  {kind}: {counts[kind]}")
