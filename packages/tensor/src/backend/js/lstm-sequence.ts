/**
 * @file An LSTM layer's time loop as two kernels (forward and back through time), written once over a backend's
 * matmul and LSTM gate kernels: the portable backend runs it on its own, and the wasm backend falls back to it
 * with its kernels where its fused loop does not apply. Per step: one product h·W_hhᵀ, the gate kernel, and row
 * copies for padded steps, into buffers reused across steps.
 */
import type { FloatArray } from '../../dtype.js';
import type { Backend, StridedArray } from '../backend.js';
import { transposed } from './linear.js';

export type StepKernels = Pick<Backend, 'matmul' | 'lstmCellGates' | 'lstmCellGatesBackward'>;
/** Backend.lstmSequence's and lstmSequenceBackward's arguments, named once in backend.ts. */
export type SequenceArgs = Parameters<Backend['lstmSequence']>;
export type SequenceBackwardArgs = Parameters<Backend['lstmSequenceBackward']>;

/** A [rows, cols] view of `data` whose rows are `rowStride` apart, starting at `offset`. */
const rows = (
  data: FloatArray,
  offset: number,
  rowCount: number,
  cols: number,
  rowStride: number,
): StridedArray => ({
  data,
  shape: [rowCount, cols],
  strides: [rowStride, 1],
  offset,
});

/** The step a direction processes k-th. */
const stepAt = (k: number, steps: number, reverse: boolean) => (reverse ? steps - 1 - k : k);

/** Whether row b is a real token at step t (every row is without lengths). */
const isReal = (lengths: Int32Array | null, b: number, t: number) => lengths === null || t < lengths[b];

/** Backend.lstmSequence over `kernels` (see backend.ts). */
export function lstmSequenceOn(kernels: StepKernels, ...args: SequenceArgs): void {
  const [gx, h0, c0, weightHh, bias, lengths, reverse, out, saved] = args;
  const [steps, batch, gateWidth] = gx.shape;
  const hidden = gateWidth / 4;
  const Floats = out.constructor as new (length: number) => FloatArray;
  const whhT = transposed(weightHh); // [H, 4H]
  const gates = new Floats(batch * gateWidth); // [B, 4H]
  const stepOut = new Floats(batch * 2 * hidden); // [B, 2H]
  const stepSaved = saved ? new Floats(batch * 5 * hidden) : null; // [B, 5H]
  const [gxT, gxB, gxJ] = gx.strides;
  const stateRow = 2 * hidden;
  let hPrev = h0;
  let cPrev = c0;
  for (let k = 0; k < steps; k++) {
    const t = stepAt(k, steps, reverse);
    kernels.matmul(hPrev, whhT, gates);
    for (let b = 0; b < batch; b++) {
      let at = gx.offset + t * gxT + b * gxB;
      const row = b * gateWidth;
      for (let j = 0; j < gateWidth; j++, at += gxJ) gates[row + j] = gx.data[at] + gates[row + j];
      if (bias) {
        let bi = bias.offset;
        for (let j = 0; j < gateWidth; j++, bi += bias.strides[0])
          gates[row + j] = bias.data[bi] + gates[row + j];
      }
    }
    kernels.lstmCellGates(rows(gates, 0, batch, gateWidth, gateWidth), cPrev, stepOut, stepSaved);
    const base = t * batch * stateRow;
    for (let b = 0; b < batch; b++) {
      const outRow = base + b * stateRow;
      if (isReal(lengths, b, t)) {
        out.set(stepOut.subarray(b * stateRow, (b + 1) * stateRow), outRow);
      } else {
        copyRow(hPrev, b, out, outRow, hidden);
        copyRow(cPrev, b, out, outRow + hidden, hidden);
      }
    }
    if (saved && stepSaved) saved.set(stepSaved, t * batch * 5 * hidden);
    hPrev = rows(out, base, batch, hidden, stateRow);
    cPrev = rows(out, base + hidden, batch, hidden, stateRow);
  }
}

/** Backend.lstmSequenceBackward over `kernels` (see backend.ts). */
export function lstmSequenceBackwardOn(kernels: StepKernels, ...args: SequenceBackwardArgs): void {
  const [dOut, out, saved, c0, weightHh, lengths, reverse, dGx, dh0, dc0] = args;
  const [steps, batch, stateRow] = dOut.shape;
  const hidden = stateRow / 2;
  const gateWidth = 4 * hidden;
  const Floats = dGx.constructor as new (length: number) => FloatArray;
  // dh and dc of the state the step being undone started from; in the end, of h0 and c0.
  const dh = dh0.fill(0);
  const dc = dc0.fill(0);
  const dhc = new Floats(batch * stateRow); // [B, 2H]
  const dGates = new Floats(batch * gateWidth); // [B, 4H]
  const dcPrev = new Floats(batch * hidden); // [B, H]
  const dhPrev = new Floats(batch * hidden); // [B, H]
  const [dT, dB, dJ] = dOut.strides;
  for (let k = steps - 1; k >= 0; k--) {
    const t = stepAt(k, steps, reverse);
    for (let b = 0; b < batch; b++) {
      let at = dOut.offset + t * dT + b * dB;
      for (let j = 0; j < hidden; j++, at += dJ) dhc[b * stateRow + j] = dOut.data[at] + dh[b * hidden + j];
      for (let j = 0; j < hidden; j++, at += dJ) {
        dhc[b * stateRow + hidden + j] = dOut.data[at] + dc[b * hidden + j];
      }
    }
    const cPrev =
      k === 0
        ? c0
        : rows(out, stepAt(k - 1, steps, reverse) * batch * stateRow + hidden, batch, hidden, stateRow);
    const stepSaved = saved.subarray(t * batch * 5 * hidden, (t + 1) * batch * 5 * hidden);
    kernels.lstmCellGatesBackward(rows(dhc, 0, batch, stateRow, stateRow), stepSaved, cPrev, dGates, dcPrev);
    for (let b = 0; b < batch; b++) {
      if (isReal(lengths, b, t)) {
        dc.set(dcPrev.subarray(b * hidden, (b + 1) * hidden), b * hidden);
      } else {
        // A padded step passed its state through: so does its gradient, and its gates get none.
        dGates.fill(0, b * gateWidth, (b + 1) * gateWidth);
        dh.set(dhc.subarray(b * stateRow, b * stateRow + hidden), b * hidden);
        dc.set(dhc.subarray(b * stateRow + hidden, (b + 1) * stateRow), b * hidden);
      }
    }
    kernels.matmul(rows(dGates, 0, batch, gateWidth, gateWidth), weightHh, dhPrev);
    for (let b = 0; b < batch; b++) {
      if (isReal(lengths, b, t)) dh.set(dhPrev.subarray(b * hidden, (b + 1) * hidden), b * hidden);
    }
    dGx.set(dGates, t * batch * gateWidth);
  }
}

/** Copies row b of the [B, H] view `from` to to[at…]. */
function copyRow(from: StridedArray, b: number, to: FloatArray, at: number, hidden: number): void {
  const [row, col] = from.strides;
  let i = from.offset + b * row;
  for (let j = 0; j < hidden; j++, i += col) to[at + j] = from.data[i];
}
