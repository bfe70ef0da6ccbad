"""fp32 matmul timings for each n in cfg["sizes"]: AB = A·B, ABt = A·Bᵀ, AtB = Aᵀ·B (transposed views)."""

from common import config, emit, measure, timing, torch

cfg = config()
torch.manual_seed(0)
results = {}
for n in cfg.get("sizes", [64, 128, 256, 512, 1024]):
    a = torch.randn(n, n, dtype=torch.float32)
    b = torch.randn(n, n, dtype=torch.float32)
    cases = {
        "AB": lambda: torch.matmul(a, b),
        "ABt": lambda: torch.matmul(a, b.t()),
        "AtB": lambda: torch.matmul(a.t(), b),
    }
    for op in cfg.get("ops", list(cases)):
        results[f"{op}/{n}"] = measure(cases[op], **timing(cfg))
emit({"results": results})
