"""The mlp, lstm and transformer suites' PyTorch steps, timed standalone with default-initialised weights.

A cross-check of the suites' torch columns (which feed weights over stdin from src/*.ts), with common.py's thread
set-up and timing: `/usr/bin/python3 torch/standalone_steps.py` for one thread, or for two
`LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 torch/standalone_steps.py '{"threads": 2}'`.
Prints the median ms per step of each workload and the BLAS with the core OpenBLAS chose: OPENBLAS_CORETYPE in the
environment decides it (Haswell's AVX2 kernels run these steps up to 1.8x slower than AVX-512 ones). The suites also
set MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456 (src/malloc.ts); without them torch runs slower.
"""

from common import THREADS, blas_library, config, measure, timing, torch

torch_timing = timing(config())
torch.manual_seed(0)


def median_ms(fn):
    return measure(fn, **torch_timing)["median_ms"]


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
    f"threads {THREADS}, BLAS {blas_library()}: encoder layer {median_ms(backward_step(encoder, tokens)):.1f} ms, "
    f"LSTM 1 layer {median_ms(backward_step(lstm, sequence)):.1f} ms, "
    f"LSTM 2 layers bidirectional {median_ms(backward_step(lstm_deep, sequence)):.1f} ms, "
    f"mlp step {median_ms(mlp_step):.3f} ms"
)
