"""One training step of an MLP (Linear, ReLU, Linear) on a fixed batch: cross-entropy on class targets,
backward, Adam, in PyTorch's usual order (zero_grad, forward, backward, step).

Config: "batch", "sizes" ([in, hidden, classes]), "lr", "targets" (batch class indices), "check_steps".
stdin: the inputs and initial weights as raw native float32, in this order: x [batch, in], then for each
Linear weight [out, in] and bias [out]. Prints the median ms of the whole step and of its parts, the losses
of the first check_steps steps from that init (for the check against Tensorloom), and the BLAS in use.
"""

from common import THREADS, blas_library, config, finish, read_input, torch

cfg = config()
batch, sizes = cfg["batch"], cfg["sizes"]
raw = torch.frombuffer(read_input(cfg), dtype=torch.float32)

layers = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])]
model = torch.nn.Sequential(*[m for layer in layers for m in (layer, torch.nn.ReLU())][:-1])
offset = 0


def take(*shape):
    global offset
    n = 1
    for d in shape:
        n *= d
    out = raw[offset : offset + n].reshape(shape).clone()
    offset += n
    return out


x = take(batch, sizes[0])
with torch.no_grad():
    for layer in layers:
        layer.weight.copy_(take(layer.out_features, layer.in_features))
        layer.bias.copy_(take(layer.out_features))
if offset != raw.numel():
    raise ValueError(f"mlp.py: stdin holds {raw.numel()} floats, the model and batch need {offset}")
y = torch.tensor(cfg["targets"], dtype=torch.long)
opt = torch.optim.Adam(model.parameters(), lr=cfg.get("lr", 1e-3))


def forward():
    return torch.nn.functional.cross_entropy(model(x), y)


def forward_backward():
    # set_to_none: PyTorch 2's default and Tensorloom's (1.13 would zero the buffers instead)
    opt.zero_grad(set_to_none=True)
    forward().backward()


def step():
    opt.zero_grad(set_to_none=True)
    loss = forward()
    loss.backward()
    opt.step()
    return loss


check_losses = [step().item() for _ in range(cfg.get("check_steps", 3))]

def with_grads():
    # the optimizer alone needs gradients; they stay put, as in src/mlp.ts
    if any(p.grad is None for p in model.parameters()):
        forward_backward()


cases = {
    "step": step,
    "forward": forward,
    "forward+backward": forward_backward,
    "optimizer": (opt.step, with_grads),
}
finish(cfg, cases, {"check_losses": check_losses, "threads": THREADS, "blas": blas_library()})
