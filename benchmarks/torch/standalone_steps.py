"""The mlp, lstm and transformer suites' PyTorch steps, timed standalone with default-initialised weights.

A cross-check of the suites' torch columns (which feed weights over stdin from src/*.ts): run with the same thread
variables, e.g. `T=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 torch/standalone_steps.py`, or for
two threads `T=2 OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp`.
Prints the median ms per step of each workload. Unset OPENBLAS_CORETYPE (as the suites do) to time the kernels OpenBLAS
detects; with OPENBLAS_CORETYPE=Haswell on an AVX-512 machine the steps run up to 1.8x slower.
"""

import os
import statistics
import time

import torch

THREADS = int(os.environ.get("T", "1"))
torch.set_num_threads(THREADS)
torch.manual_seed(0)


def median_ms(fn, runs=9, sample_s=0.1):
    for _ in range(5):
        fn()
    start = time.perf_counter()
    fn()
    iters = max(1, round(sample_s / (time.perf_counter() - start)))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        samples.append((time.perf_counter() - start) / iters)
    return statistics.median(samples) * 1e3


encoder = torch.nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, batch_first=True).train()
tokens = torch.randn(32, 32, 256, requires_grad=True)
lstm = torch.nn.LSTM(128, 256)
lstm_deep = torch.nn.LSTM(128, 256, num_layers=2, bidirectional=True)
sequence = torch.randn(20, 32, 128, requires_grad=True)
mlp = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
adam = torch.optim.Adam(mlp.parameters())
images, labels = torch.randn(64, 784), torch.randint(0, 10, (64,))


def backward_step(module, x):
    def step():
        module.zero_grad(set_to_none=True)
        x.grad = None
        out = module(x)
        (out[0] if isinstance(out, tuple) else out).sum().backward()

    return step


def mlp_step():
    adam.zero_grad(set_to_none=True)
    torch.nn.functional.cross_entropy(mlp(images), labels).backward()
    adam.step()


print(
    f"threads {THREADS}: encoder layer {median_ms(backward_step(encoder, tokens)):.1f} ms, "
    f"LSTM 1 layer {median_ms(backward_step(lstm, sequence)):.1f} ms, "
    f"LSTM 2 layers bidirectional {median_ms(backward_step(lstm_deep, sequence)):.1f} ms, "
    f"mlp step {median_ms(mlp_step):.3f} ms"
)
