"""Trains the PyTorch mirror of a translator app model (translator_models.py) exactly as the app's training loop
does, under a budget of training time, then decodes the test sources greedily.

Config (argv[1]): {"job": path, "threads": n}. The job file, written by src/translator-torch.ts, holds the
resolved model config ("model"), the training settings ("training": batchSize, lr, lrDecay, warmup, betas,
clipNorm, labelSmoothing), the encoded training pairs ("train": {"src": [[id, ...]], "tgt": [...]}), the batch
plan of every epoch as the app draws it ("plans": [[[example index, ...], ...], ...]; reused from the start if
training outlasts them), the test sources ("test_src"), "minutes", "seed", and the app's initial weights
("weights": {"file": raw little-endian float32, "params": [[name, shape], ...]} in that order).

With "turn_seconds" > 0 in the job, training takes turns with the app's (src/translator.ts, --turn-seconds):
before its first step and after every turn of that much training time, the script prints a line
{"waiting": {"seconds": s, "steps": n}} and waits for "go" on stdin. The wait is not training time.

Prints one JSON object (the last line): steps, target tokens and seconds of training, epochs, the eval-mode loss
of the first batch before training ("initial_loss", to check the mirror against the app), the hypotheses' ids,
torch's version, thread count and BLAS. Progress goes to stderr.
"""

import json
import math
import sys
import time

import torch.nn.functional as F
from common import THREADS, blas_library, config, emit, torch
from translator_models import EOS, PAD, SOS, build_model

cfg = config()
with open(cfg["job"]) as f:
    job = json.load(f)
kind = job["model"]["kind"]
torch.manual_seed(job["seed"])  # dropout masks; the weights come from the app
model = build_model(job["model"])


def load_weights(model, weights):
    raw = torch.from_file(weights["file"], size=sum(math.prod(s) for _, s in weights["params"]), dtype=torch.float32)
    named = dict(model.named_parameters())
    offset = 0
    with torch.no_grad():
        for name, shape in weights["params"]:
            if name not in named:
                raise ValueError(f"translator.py: the app's parameter {name} has no counterpart here")
            param = named.pop(name)
            if list(param.shape) != list(shape):
                raise ValueError(f"translator.py: {name} is {list(param.shape)} here, {shape} in the app")
            n = math.prod(shape)
            param.copy_(raw[offset : offset + n].reshape(shape))
            offset += n
    if named:
        raise ValueError(f"translator.py: parameters the app does not have: {sorted(named)}")


load_weights(model, job["weights"])
src_ids, tgt_ids = job["train"]["src"], job["train"]["tgt"]
t = job["training"]
smoothing = t.get("labelSmoothing", 0.0)


def collate(indices):
    """data/batches.ts collate: longest source first (stable), <sos> y / y <eos>, padded with <pad>."""
    rows = sorted(indices, key=lambda i: -len(src_ids[i]))
    steps_src = max(len(src_ids[i]) for i in rows)
    steps_tgt = max(len(tgt_ids[i]) for i in rows) + 1
    src = torch.full((len(rows), steps_src), PAD, dtype=torch.long)
    dec_in = torch.full((len(rows), steps_tgt), PAD, dtype=torch.long)
    target = torch.full((len(rows), steps_tgt), PAD, dtype=torch.long)
    for b, i in enumerate(rows):
        x, y = src_ids[i], tgt_ids[i]
        src[b, : len(x)] = torch.tensor(x)
        dec_in[b, 0] = SOS
        dec_in[b, 1 : len(y) + 1] = torch.tensor(y)
        target[b, : len(y)] = torch.tensor(y)
        target[b, len(y)] = EOS
    lengths = torch.tensor([len(src_ids[i]) for i in rows])
    tokens = sum(len(tgt_ids[i]) + 1 for i in rows)
    return src, lengths, dec_in, target, dec_in == PAD, tokens


def batch_loss(batch):
    src, lengths, dec_in, target, tgt_pad, _ = batch
    logits = model(src, lengths, dec_in, tgt_pad)  # [B, T, V]
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD, label_smoothing=smoothing
    )


plans = job["plans"]
model.eval()
with torch.no_grad():
    initial_loss = batch_loss(collate(plans[0][0])).item()
model.train()

betas = tuple(t["betas"]) if t.get("betas") else (0.9, 0.999)
optimizer = torch.optim.Adam(model.parameters(), lr=t["lr"], betas=betas)
warmup = t.get("warmup")
# optim's InverseSqrtLR with dModel 1 and scale lr*sqrt(warmup): the n-th step (n from 1) uses
# lr * sqrt(warmup) * min(n^-0.5, n * warmup^-1.5), peaking at lr on step `warmup`.
scheduler = (
    torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda e: math.sqrt(warmup) * min((e + 1) ** -0.5, (e + 1) * warmup**-1.5)
    )
    if warmup
    else None
)

budget = job["minutes"] * 60
turn_seconds = job.get("turn_seconds", 0)
seconds, tokens, steps, epoch, done = 0.0, 0, 0, 1, False
next_report = 30.0


def wait_for_turn():
    """Hands the machine to the other side of an interleaved run and waits until it hands it back."""
    print(json.dumps({"waiting": {"seconds": seconds, "steps": steps}}), flush=True)
    line = sys.stdin.readline().strip()
    if line != "go":
        sys.exit(f"translator.py: expected 'go' on stdin, got {line!r}")


turn_began = 0.0
if turn_seconds:
    wait_for_turn()
while not done:
    plan = plans[(epoch - 1) % len(plans)]
    for k, indices in enumerate(plan):
        began = time.perf_counter()
        batch = collate(indices)
        loss = batch_loss(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), t.get("clipNorm", 1.0))
        optimizer.step()
        if scheduler:
            scheduler.step()
        value = loss.item()
        seconds += time.perf_counter() - began
        steps += 1
        tokens += batch[5]
        if seconds >= next_report:
            print(f"  torch {kind}: {seconds:.0f} s, epoch {epoch}, step {steps}, loss {value:.3f}", file=sys.stderr)
            next_report += 30.0
        if seconds >= budget:
            done = True
            epochs = epoch - 1 + (k + 1) / len(plan)
            break
        if turn_seconds and seconds - turn_began >= turn_seconds:
            wait_for_turn()
            turn_began = seconds
    if not done:
        epoch += 1
        if not scheduler:
            for group in optimizer.param_groups:
                group["lr"] *= t.get("lrDecay", 1.0)

# decode/translate.ts: batches of 128 in length order, at most 2 x the longest source + 10 tokens.
test = job["test_src"]
order = sorted(range(len(test)), key=lambda i: len(test[i]))
hypotheses = [None] * len(test)
model.eval()
with torch.no_grad():
    for start in range(0, len(order), 128):
        rows = sorted(order[start : start + 128], key=lambda i: -len(test[i]))
        longest = len(test[rows[0]])
        src = torch.full((len(rows), longest), PAD, dtype=torch.long)
        for b, i in enumerate(rows):
            src[b, : len(test[i])] = torch.tensor(test[i])
        lengths = torch.tensor([len(test[i]) for i in rows])
        out = model.greedy(src, lengths, 2 * longest + 10).tolist()
        for b, i in enumerate(rows):
            ids = out[b]
            hypotheses[i] = ids[: ids.index(EOS)] if EOS in ids else ids

emit(
    {
        "steps": steps,
        "tokens": tokens,
        "seconds": seconds,
        "epochs": epochs,
        "plans_reused": epoch > len(plans),
        "initial_loss": initial_loss,
        "parameters": sum(p.numel() for p in model.parameters()),
        "hypotheses": hypotheses,
        "torch": torch.__version__,
        "threads": THREADS,
        "blas": blas_library(),
    }
)
