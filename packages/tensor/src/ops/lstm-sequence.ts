/**
 * @file An LSTM layer's whole time loop in one direction as one primitive. Run step by step, each step cost a
 * product, the gate kernel, an addition, state views and their autograd nodes, and on the wasm backend a copy of
 * W_hh into linear memory for every product; one primitive runs the loop in one kernel call with W_hh, the
 * states and the activations staying in place, and its backward is one more call (plus one product for W_hh).
 */
import { record } from '../autograd/record.js';
import { getBackend } from '../backend/registry.js';
import type { FloatArray } from '../dtype.js';
import { IndexError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { floatInputs, recording } from './rnn-gates.js';
import { empty } from './util.js';

export interface LstmSequenceOptions {
  /** Runs from the last step to the first (a bidirectional layer's backward direction). Default false. */
  reverse?: boolean;
  /**
   * One length per batch row, each from 1 to T: row b is real at steps t < lengths[b] and carries its state
   * over unchanged on the padded steps after. Null or absent: every step is real.
   */
  lengths?: readonly number[] | Int32Array | null;
  /**
   * [4H], added to every step's gates (an LSTM layer's b_ih + b_hh, so gx can be x·W_ihᵀ alone). Null or absent:
   * none.
   */
  bias?: Tensor | null;
}

/**
 * An LSTM's recurrence over a whole sequence in one direction, after the input projection: from gx [T, B, 4H]
 * = x·W_ihᵀ (blocks i, f, g, o), the initial states h0, c0 [B, H], W_hh [4H, H] and an optional bias [4H]
 * (b_ih + b_hh), each step computes gates = gx[t] + bias + h·W_hhᵀ, c = σ(f) ⊙ c + σ(i) ⊙ tanh(g) and
 * h = σ(o) ⊙ tanh(c) (Hochreiter & Schmidhuber, 1997; what PyTorch's `nn.LSTM` runs per layer and direction). Returns [T, B, 2H] = [h_t | c_t]
 * for every step: the outputs are its h half, and the final states its step T − 1 (step 0 when `reverse`). With
 * `lengths`, padded steps carry the state over, so the final states are those after each row's last real step
 * and, in reverse, each row starts from its own last real step (PyTorch's packed sequences). Differentiable in
 * every input.
 * @example
 * const states = lstmSequence(gx, h0, c0, weightHh); // [T, B, 2H]
 * const outputs = states.narrow(2, 0, H); // [T, B, H]
 */
export function lstmSequence(
  gx: Tensor,
  h0: Tensor,
  c0: Tensor,
  weightHh: Tensor,
  options: LstmSequenceOptions = {},
): Tensor {
  const op = 'lstmSequence';
  const reverse = options.reverse ?? false;
  const layouts = { gx: '[T, B, 4H]', h0: '[B, H]', c0: '[B, H]', weightHh: '[4H, H]' };
  const inputs: Record<string, Tensor> = { gx, h0, c0, weightHh };
  if (options.bias) inputs.bias = options.bias;
  const [x, h, c, w, bias = null] = floatInputs(op, inputs);
  if (x.ndim !== 3) throw new ShapeError(`${op}: gx must be 3-D ${layouts.gx} (got ${formatShape(x.shape)})`);
  const [steps, batch, gateWidth] = x.shape;
  const hidden = gateWidth / 4;
  const expected = {
    h0: [batch, hidden],
    c0: [batch, hidden],
    weightHh: [gateWidth, hidden],
  };
  if (steps === 0 || gateWidth === 0 || gateWidth % 4 !== 0) {
    throw new ShapeError(
      `${op}: gx must be [T, B, 4H] with T ≥ 1 and a last dim a positive multiple of 4 (got ${formatShape(x.shape)})`,
    );
  }
  for (const [name, t] of [
    ['h0', h],
    ['c0', c],
    ['weightHh', w],
  ] as const) {
    const shape = expected[name];
    if (t.ndim !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
      throw new ShapeError(
        `${op}: ${name} must be ${layouts[name]} = ${formatShape(shape)} for gx ${formatShape(x.shape)} (got ${formatShape(t.shape)})`,
      );
    }
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== gateWidth)) {
    throw new ShapeError(
      `${op}: bias must be [4H] = ${formatShape([gateWidth])} for gx ${formatShape(x.shape)} (got ${formatShape(bias.shape)})`,
    );
  }
  const lengths = checkedLengths(op, options.lengths ?? null, steps, batch);
  const out = empty([steps, batch, 2 * hidden], x.dtype); // [T, B, 2H]
  const operands = bias ? [x, h, c, w, bias] : [x, h, c, w];
  const activations = recording(operands) ? empty([steps, batch, 5 * hidden], x.dtype) : null; // [T, B, 5H]
  getBackend().lstmSequence(
    x,
    h,
    c,
    w,
    bias,
    lengths,
    reverse,
    out.data as FloatArray,
    (activations?.data as FloatArray) ?? null,
  );
  return activations ? record('lstmSequence', out, operands, { activations, lengths, reverse }) : out;
}

/** The lengths as int32, checked (one per row, integers in [1, steps]); null when absent or all equal to steps. */
function checkedLengths(
  op: string,
  lengths: readonly number[] | Int32Array | null,
  steps: number,
  batch: number,
): Int32Array | null {
  if (lengths === null) return null;
  if (lengths.length !== batch) {
    throw new ShapeError(
      `${op}: lengths must have one entry per batch row (expected ${batch}, got ${lengths.length})`,
    );
  }
  lengths.forEach((length: number, b: number) => {
    if (!Number.isInteger(length) || length < 1 || length > steps) {
      throw new IndexError(`${op}: lengths[${b}] = ${length} must be an integer in [1, ${steps}]`);
    }
  });
  return Array.prototype.every.call(lengths, (length: number) => length === steps)
    ? null
    : Int32Array.from(lengths);
}

/**
 * lstmSequence's backward through time, one kernel (not differentiable): from d[h | c] [T, B, 2H] and what the
 * forward returned and kept → [dgx [T, B, 4H], dh0 [B, H], dc0 [B, H]].
 */
export function lstmSequenceBackward(
  dOut: Tensor,
  out: Tensor,
  activations: Tensor,
  c0: Tensor,
  weightHh: Tensor,
  lengths: Int32Array | null,
  reverse: boolean,
): [Tensor, Tensor, Tensor] {
  const [steps, batch, stateWidth] = out.shape;
  const hidden = stateWidth / 2;
  const dGx = empty([steps, batch, 4 * hidden], out.dtype);
  const dh0 = empty([batch, hidden], out.dtype);
  const dc0 = empty([batch, hidden], out.dtype);
  getBackend().lstmSequenceBackward(
    dOut,
    out.data as FloatArray,
    activations.data as FloatArray,
    c0,
    weightHh,
    lengths,
    reverse,
    dGx.data as FloatArray,
    dh0.data as FloatArray,
    dc0.data as FloatArray,
  );
  return [dGx, dh0, dc0];
}
