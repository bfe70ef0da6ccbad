"""Forward + backward of one nn.TransformerEncoderLayer (batch_first, post-norm, ReLU, dropout 0) on a fixed
batch: output = layer(x), loss = output.sum(), backward to every weight and to x, with gradients set to None
first (PyTorch 2's zero_grad default, and Tensorloom's). Training mode, so PyTorch takes its ordinary autograd
path (the fused "fast path" only runs in inference).

Config: "batch", "seq", "d_model", "nhead", "dim_feedforward", "params": [[name, shape], ...] in the layer's
named_parameters() order.
stdin: x [batch, seq, d_model], then the params in that order, as raw native float32.
Prints the median ms of one step under "encoder_layer"; the output, x's gradient and in_proj_weight's gradient
from one step as base64 float32 (for the check against Tensorloom); and the BLAS in use.
"""

import base64

from common import THREADS, blas_library, config, finish, read_input, torch

cfg = config()
batch, seq, d_model = cfg["batch"], cfg["seq"], cfg["d_model"]
raw = torch.frombuffer(read_input(cfg), dtype=torch.float32)
offset = 0


def take(shape):
    global offset
    n = 1
    for d in shape:
        n *= d
    out = raw[offset : offset + n].reshape(shape).clone()
    offset += n
    return out


def b64(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode("ascii")


x = take([batch, seq, d_model]).requires_grad_()
layer = torch.nn.TransformerEncoderLayer(
    d_model,
    cfg["nhead"],
    dim_feedforward=cfg["dim_feedforward"],
    dropout=0.0,
    activation="relu",
    batch_first=True,
    norm_first=False,
)
layer.train()
named = list(layer.named_parameters())
want = [(name, list(shape)) for name, shape in cfg["params"]]
got = [(name, list(p.shape)) for name, p in named]
if got != want:
    raise ValueError(f"transformer.py: parameters {got}, config says {want}")
with torch.no_grad():
    for _, p in named:
        p.copy_(take(list(p.shape)))
if offset != raw.numel():
    raise ValueError(f"transformer.py: stdin holds {raw.numel()} floats, x and the weights need {offset}")


def step():
    layer.zero_grad(set_to_none=True)
    x.grad = None
    output = layer(x)
    output.sum().backward()
    return output


output = step()
check = {
    "output": b64(output),
    "input_grad": b64(x.grad),
    "in_proj_weight_grad": b64(layer.self_attn.in_proj_weight.grad),
}
finish(cfg, {"encoder_layer": step}, {"check": check, "threads": THREADS, "blas": blas_library()})
