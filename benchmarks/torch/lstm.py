"""Forward + backward of nn.LSTM on a fixed batch: output = lstm(x)[0], loss = output.sum(), backward to the
weights and to x, with gradients set to None first (PyTorch 2's zero_grad default, and Tensorloom's).

Config: "steps", "batch", "input_size", "hidden_size", and "cases": [{"id", "num_layers", "bidirectional",
"params": [[name, shape], ...]}], params in nn.LSTM's named_parameters() order.
stdin: x [steps, batch, input_size], then each case's params in that order, as raw native float32.
Prints the median ms of one step per case id, and per case the output [steps, batch, D*hidden] and x's
gradient from one step, as base64 float32 (for the check against Tensorloom), and the BLAS in use.
"""

import base64

from common import THREADS, blas_library, config, finish, read_input, torch

cfg = config()
steps, batch, input_size, hidden = cfg["steps"], cfg["batch"], cfg["input_size"], cfg["hidden_size"]
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


x = take([steps, batch, input_size]).requires_grad_()
models = []
for case in cfg["cases"]:
    model = torch.nn.LSTM(
        input_size, hidden, num_layers=case["num_layers"], bidirectional=case["bidirectional"]
    )
    named = list(model.named_parameters())
    want = [(name, list(shape)) for name, shape in case["params"]]
    got = [(name, list(p.shape)) for name, p in named]
    if got != want:
        raise ValueError(f"lstm.py: case {case['id']}: parameters {got}, config says {want}")
    with torch.no_grad():
        for _, p in named:
            p.copy_(take(list(p.shape)))
    models.append((case["id"], model))
if offset != raw.numel():
    raise ValueError(f"lstm.py: stdin holds {raw.numel()} floats, x and the weights need {offset}")


def stepper(model):
    def step():
        model.zero_grad(set_to_none=True)
        x.grad = None
        output, _ = model(x)
        output.sum().backward()
        return output

    return step


cases, check = {}, {}
for case_id, model in models:
    step = stepper(model)
    output = step()
    check[case_id] = {"output": b64(output), "input_grad": b64(x.grad)}
    cases[case_id] = step

finish(cfg, cases, {"check": check, "threads": THREADS, "blas": blas_library()})
