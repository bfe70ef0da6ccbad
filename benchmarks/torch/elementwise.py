"""Elementwise timings on [rows, cols] float32: add, broadcast add of a [cols] row, softmax(dim=-1)."""

from common import config, emit, measure, timing, torch

cfg = config()
rows, cols = cfg.get("rows", 1024), cfg.get("cols", 1024)
torch.manual_seed(0)
a = torch.randn(rows, cols, dtype=torch.float32)
b = torch.randn(rows, cols, dtype=torch.float32)
row = torch.randn(cols, dtype=torch.float32)
cases = {
    "add": lambda: torch.add(a, b),
    "add-broadcast": lambda: torch.add(a, row),
    "softmax": lambda: torch.softmax(a, dim=-1),
}
results = {op: measure(cases[op], **timing(cfg)) for op in cfg.get("ops", list(cases))}
emit({"results": results})
