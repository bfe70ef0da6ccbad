"""Read a safetensors file from the format's specification alone (struct + json, no safetensors package) and
print each tensor's name, dtype, shape and the SHA-256 of its bytes as JSON.

    /usr/bin/python3 tools/reference/read_safetensors.py FILE

Output: {"file": ..., "metadata": {...}, "tensors": [{"name", "dtype", "shape", "sha256"}, ...]} with tensors
sorted by name. The file is validated the way the reference implementation validates it (header length within
the file and at most 100 MB, UTF-8 JSON object without repeated keys, known dtypes, offsets matching
shape × itemsize and tiling the data buffer exactly); any violation exits with status 1 and a message.
"""

import hashlib
import json
import struct
import sys

MAX_HEADER_BYTES = 100_000_000

ITEMSIZE = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
    "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4,
    "F64": 8, "I64": 8, "U64": 8,
}


class FormatError(Exception):
    pass


def _no_repeated_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise FormatError(f"repeated key in header object: {keys}")
    return dict(pairs)


def read(data: bytes):
    """Returns (metadata, [(name, dtype, shape, raw bytes)]) in offset order."""
    if len(data) < 8:
        raise FormatError(f"file is {len(data)} bytes, too short for the header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES or n > len(data) - 8:
        raise FormatError(f"header length {n} is out of range for a {len(data)}-byte file")
    header = json.loads(data[8 : 8 + n].decode("utf-8"), object_pairs_hook=_no_repeated_keys)
    if not isinstance(header, dict):
        raise FormatError("header is not a JSON object")
    buffer = data[8 + n :]
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise FormatError("__metadata__ must map strings to strings")
    entries = []
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in ITEMSIZE:
            raise FormatError(f"tensor {name!r}: unknown dtype {dtype!r}")
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise FormatError(f"tensor {name!r}: bad shape {shape}")
        numel = 1
        for d in shape:
            numel *= d
        if end - begin != numel * ITEMSIZE[dtype]:
            raise FormatError(f"tensor {name!r}: offsets [{begin}, {end}] do not match {shape} x {dtype}")
        entries.append((begin, end, name, dtype, shape))
    entries.sort()
    covered = 0
    for begin, end, name, _, _ in entries:
        if begin != covered or end < begin:
            raise FormatError(f"tensor {name!r}: offsets [{begin}, {end}] leave a hole or overlap at {covered}")
        covered = end
    if covered != len(buffer):
        raise FormatError(f"tensors cover {covered} of the {len(buffer)} data bytes")
    return metadata, [(name, dtype, shape, buffer[b:e]) for b, e, name, dtype, shape in entries]


def summary(path: str) -> dict:
    with open(path, "rb") as f:
        metadata, tensors = read(f.read())
    rows = [
        {"name": name, "dtype": dtype, "shape": shape, "sha256": hashlib.sha256(raw).hexdigest()}
        for name, dtype, shape, raw in tensors
    ]
    rows.sort(key=lambda row: row["name"].encode("utf-8"))
    return {"file": path, "metadata": metadata, "tensors": rows}


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        result = summary(argv[1])
    except (FormatError, ValueError, KeyError, TypeError) as error:
        print(f"read_safetensors: {argv[1]}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
