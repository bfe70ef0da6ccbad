"""Shared set-up for the PyTorch benchmarks: the thread count, and the same timing rules as src/timing.ts.

Each script reads one JSON object from argv[1] ({"runs": 7, "warmup_ms": 300, "sample_ms": 60, "threads": 1,
...}) and prints one JSON object on stdout; with "serve" in it, the suites' scripts instead answer timing requests
on stdin (finish() below), so that src/torch-session.ts can take their samples in turn with Tensorloom's. Run with /usr/bin/python3 (Debian's python3-torch). "threads"
(default 1) sets torch's intra-op threads; src/torch.ts sets the matching BLAS/OpenMP variables and, above one
thread, points LD_LIBRARY_PATH at the OpenMP build of OpenBLAS.
"""

import ctypes
import json
import os
import statistics
import sys
import time


def config():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else {}


THREADS = int(config().get("threads", 1))

# Must be set before torch (and its BLAS) load; src/torch.ts sets them too.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, str(THREADS))

import torch  # noqa: E402

torch.set_num_threads(THREADS)


def timing(cfg):
    """The measure() keyword arguments from a script's config."""
    return dict(runs=cfg.get("runs", 7), warmup_ms=cfg.get("warmup_ms", 300), sample_ms=cfg.get("sample_ms", 60))


def warm_up(fn, warmup_ms):
    """Calls fn until warmup_ms have passed (at least once); returns the fastest call in seconds."""
    start = time.perf_counter()
    fastest = float("inf")
    while True:
        t = time.perf_counter()
        fn()
        fastest = min(fastest, time.perf_counter() - t)
        if (time.perf_counter() - start) * 1e3 >= warmup_ms:
            return fastest


def measure(fn, runs, warmup_ms, sample_ms):
    """Median seconds per call; mirrors measureRoundRobin() in src/timing.ts (one contender)."""
    if runs < 5:
        raise ValueError("runs must be >= 5")
    last = warm_up(fn, warmup_ms)
    iters = max(1, round(sample_ms / 1e3 / max(last, 1e-9)))
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - t) / iters)
    return {"median_ms": statistics.median(samples) * 1e3, "iters": iters}


def blas_library():
    """The BLAS shared object mapped into this process, as dir/name (e.g. openblas-pthread/libblas.so.3)."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # make sure BLAS is loaded
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        real = os.path.realpath(path)
        name = os.path.basename(real)
        if any(key in name for key in ("openblas", "libblas", "mkl_rt", "blis")):
            # Debian's alternatives (or LD_LIBRARY_PATH) pick the implementation directory
            label = os.path.join(os.path.basename(os.path.dirname(real)), name)
            core = openblas_core(real)
            return f"{label} (core {core})" if core else label
    return None


def openblas_core(path):
    """The kernel set OpenBLAS chose (e.g. Cooperlake, Haswell), or None for another BLAS."""
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def emit(obj):
    json.dump(obj, sys.stdout)
    sys.stdout.write("\n")


def read_input(cfg):
    """The raw bytes on stdin: cfg["input_bytes"] of them when given (stdin then goes on with serve requests),
    else all of it."""
    if "input_bytes" in cfg:
        want = cfg["input_bytes"]
        data = bytearray()
        while len(data) < want:
            chunk = sys.stdin.buffer.read(want - len(data))
            if not chunk:
                raise ValueError(f"stdin ended after {len(data)} of {want} input bytes")
            data += chunk
        return data
    return bytearray(sys.stdin.buffer.read())


def finish(cfg, cases, extra):
    """Times the cases ({name: fn, or (fn, before) with `before` run untimed ahead of the warm-up and of each
    sample}) and prints {"results": {name: {"median_ms", "iters"}}, **extra}; or, when cfg["serve"] is set, prints
    {"ready": true, **extra} and answers one request per stdin line with one JSON line:
        warm NAME MS     calls NAME for MS milliseconds -> {"fastest": seconds of the fastest call}
        sample NAME N    N calls back to back           -> {"seconds": their total}
        sample NAME N rewarm    the same after one untimed call (src/timing.ts, REWARM_BELOW)
        quit
    """
    def parts(case):
        return case if isinstance(case, tuple) else (case, None)

    if not cfg.get("serve"):
        results = {}
        for name, case in cases.items():
            fn, before = parts(case)
            if before:
                before()
            results[name] = measure(fn, **timing(cfg))
        emit({"results": results, **extra})
        return
    emit({"ready": True, **extra})
    sys.stdout.flush()
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        fn, before = parts(cases[words[1]])
        if before:
            before()
        if words[0] == "warm":
            emit({"fastest": warm_up(fn, float(words[2]))})
        else:
            if len(words) > 3 and words[3] == "rewarm":
                fn()
            t = time.perf_counter()
            for _ in range(int(words[2])):
                fn()
            emit({"seconds": time.perf_counter() - t})
        sys.stdout.flush()
