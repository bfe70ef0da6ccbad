/**
 * @file The LSTM and GRU cells' gate nonlinearities as fused primitives. Composed from sigmoid, tanh, mul and
 * add, one LSTM step took ten small ops, each allocating its result and recording a node; profiling an LSTM
 * layer showed those ops, not the matmuls, taking most of the time. One kernel does the whole step's
 * elementwise work, and its backward is one more kernel reading the activations the forward kept.
 */
import { isGradEnabled } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import { type DType, type FloatArray, isFloating, promoteTypes } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './movement.js';
import { empty } from './util.js';

/**
 * The inputs cast to their promoted dtype, after `check` has seen each one; bool is refused, and int32 becomes
 * float32, as in the composed ops (sigmoid, matmul) the recurrent primitives replace.
 */
export function floatInputs(
  op: string,
  inputs: Record<string, Tensor>,
  check: (name: string, t: Tensor) => void = () => {},
): Tensor[] {
  let dtype: DType = 'int32';
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype === 'bool') throw new DTypeError(`${op}: ${name} must be a float or int32 tensor (got bool)`);
    check(name, t);
    dtype = promoteTypes(dtype, t.dtype);
  }
  const float = isFloating(dtype) ? dtype : 'float32';
  return Object.values(inputs).map((t) => cast(t, float));
}

/** The inputs, each checked to be a matrix, cast as floatInputs does. */
function gateInputs(op: string, inputs: Record<string, Tensor>, layouts: Record<string, string>): Tensor[] {
  return floatInputs(op, inputs, (name, t) => {
    if (t.ndim !== 2)
      throw new ShapeError(`${op}: ${name} must be 2-D ${layouts[name]} (got ${formatShape(t.shape)})`);
  });
}

/** Whether the op will be recorded, so that its forward kernel should keep the activations for backward. */
export const recording = (inputs: readonly Tensor[]): boolean =>
  isGradEnabled() && inputs.some((t) => t.requiresGrad);

/**
 * One LSTM cell step after the matmuls, fused: from the gate pre-activations gates [B, 4H] = x·W_ihᵀ + b_ih +
 * h·W_hhᵀ + b_hh in PyTorch's block order (i, f, g, o) and the previous cell state cPrev [B, H],
 * c = σ(f) ⊙ cPrev + σ(i) ⊙ tanh(g) and h = σ(o) ⊙ tanh(c), returned as one tensor [B, 2H] = [h | c]
 * (Hochreiter & Schmidhuber, 1997; PyTorch's `torch.lstm_cell` without the matmuls). Take h and c as views.
 * Inputs may be strided views; shapes must match exactly (no broadcasting).
 * @example
 * const hc = lstmCellGates(gx.add(h.matmul(whhT)), c); // [B, 2H]
 * const [hNext, cNext] = [hc.narrow(1, 0, H), hc.narrow(1, H, H)]; // [B, H] each
 */
export function lstmCellGates(gates: Tensor, cPrev: Tensor): Tensor {
  const op = 'lstmCellGates';
  const [g, c] = gateInputs(op, { gates, cPrev }, { gates: '[B, 4H]', cPrev: '[B, H]' });
  const [batch, hidden] = c.shape;
  if (g.shape[0] !== batch || g.shape[1] !== 4 * hidden) {
    throw new ShapeError(
      `${op}: gates must be [B, 4H] = ${formatShape([batch, 4 * hidden])} for cPrev [B, H] = ${formatShape(c.shape)} (got gates ${formatShape(g.shape)})`,
    );
  }
  const out = empty([batch, 2 * hidden], g.dtype); // [B, 2H]
  const activations = recording([g, c]) ? empty([batch, 5 * hidden], g.dtype) : null; // [B, 5H]
  getBackend().lstmCellGates(g, c, out.data as FloatArray, (activations?.data as FloatArray) ?? null);
  return activations ? record('lstmCellGates', out, [g, c], { activations }) : out;
}

/**
 * One GRU cell step after the matmuls, fused, in PyTorch's variant (Cho et al., 2014; `torch.gru_cell`): from
 * gx = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh, both [B, 3H] in block order (r, z, n), and hPrev [B, H],
 * r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n) and h = (1 − z) ⊙ n + z ⊙ hPrev [B, H].
 * Inputs may be strided views; shapes must match exactly (no broadcasting).
 * @example const hNext = gruCellGates(gx, h.matmul(whhT).add(bhh), h); // [B, H]
 */
export function gruCellGates(gx: Tensor, gh: Tensor, hPrev: Tensor): Tensor {
  const op = 'gruCellGates';
  const [x, y, h] = gateInputs(op, { gx, gh, hPrev }, { gx: '[B, 3H]', gh: '[B, 3H]', hPrev: '[B, H]' });
  const [batch, hidden] = h.shape;
  for (const [name, t] of [
    ['gx', x],
    ['gh', y],
  ] as const) {
    if (t.shape[0] !== batch || t.shape[1] !== 3 * hidden) {
      throw new ShapeError(
        `${op}: ${name} must be [B, 3H] = ${formatShape([batch, 3 * hidden])} for hPrev [B, H] = ${formatShape(h.shape)} (got ${name} ${formatShape(t.shape)})`,
      );
    }
  }
  const out = empty([batch, hidden], x.dtype); // [B, H]
  const activations = recording([x, y, h]) ? empty([batch, 3 * hidden], x.dtype) : null; // [B, 3H]
  getBackend().gruCellGates(x, y, h, out.data as FloatArray, (activations?.data as FloatArray) ?? null);
  return activations ? record('gruCellGates', out, [x, y, h], { activations }) : out;
}

/** A gradient buffer of `shape`, or null when that input takes no gradient. */
const gradient = (wanted: boolean, shape: number[], dtype: DType): Tensor | null =>
  wanted ? empty(shape, dtype) : null;

/**
 * lstmCellGates' backward, one kernel (not differentiable): from d[h | c] [B, 2H], the activations the forward
 * kept [B, 5H] and cPrev [B, H] → [dgates [B, 4H], dcPrev [B, H]], null where `wanted` says no.
 */
export function lstmCellGatesBackward(
  dhc: Tensor,
  activations: Tensor,
  cPrev: Tensor,
  wanted: readonly [gates: boolean, cPrev: boolean],
): [Tensor | null, Tensor | null] {
  const [batch, hidden] = cPrev.shape;
  const dGates = gradient(wanted[0], [batch, 4 * hidden], cPrev.dtype);
  const dcPrev = gradient(wanted[1], [batch, hidden], cPrev.dtype);
  getBackend().lstmCellGatesBackward(
    dhc,
    activations.data as FloatArray,
    cPrev,
    (dGates?.data as FloatArray) ?? null,
    (dcPrev?.data as FloatArray) ?? null,
  );
  return [dGates, dcPrev];
}

/**
 * gruCellGates' backward, one kernel (not differentiable): from dh [B, H], the activations the forward kept
 * [B, 3H], gh [B, 3H] and hPrev [B, H] → [dgx, dgh [B, 3H], dhPrev [B, H]], null where `wanted` says no.
 */
export function gruCellGatesBackward(
  dh: Tensor,
  activations: Tensor,
  gh: Tensor,
  hPrev: Tensor,
  wanted: readonly [gx: boolean, gh: boolean, hPrev: boolean],
): [Tensor | null, Tensor | null, Tensor | null] {
  const [batch, hidden] = hPrev.shape;
  const dgx = gradient(wanted[0], [batch, 3 * hidden], hPrev.dtype);
  const dgh = gradient(wanted[1], [batch, 3 * hidden], hPrev.dtype);
  const dhPrev = gradient(wanted[2], [batch, hidden], hPrev.dtype);
  getBackend().gruCellGatesBackward(
    dh,
    activations.data as FloatArray,
    gh,
    hPrev,
    (dgx?.data as FloatArray) ?? null,
    (dgh?.data as FloatArray) ?? null,
    (dhPrev?.data as FloatArray) ?? null,
  );
  return [dgx, dgh, dhPrev];
}
