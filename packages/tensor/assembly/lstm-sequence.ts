/**
 * @file An LSTM layer's time loop in one direction, forward and back through time, each in one call: per step
 * the recurrent product (matmul.ts), the gate kernel (lstm-gates.ts) and row copies for padded steps, with W_hh,
 * the states and the activations staying in linear memory for the whole sequence. The caller (src/backend/wasm/
 * lstm-sequence.ts) stages the operands once and lays out the scratch.
 *
 * Layouts (byte addresses; strides in elements; columns contiguous): gx [T, B, 4H] with strides (gxStep, gxRow);
 * h0, c0 [B, H] with row strides; W_hh [4H, H] with strides (wRow, wCol); `lengths` B int32 (0: every step real);
 * out [T, B, 2H] = [h | c], saved [T, B, 5H] and the gradients contiguous. H is a multiple of 4.
 */
import { lstmCellGates, lstmCellGatesBackward } from './lstm-gates';
import { matmul } from './matmul';

/** The step a direction processes k-th. */
function stepAt(k: i32, steps: i32, reverse: bool): i32 {
  return reverse ? steps - 1 - k : k;
}

/** Whether row b is a real token at step t. */
function isReal(lengths: usize, b: i32, t: i32): bool {
  return lengths === 0 || t < load<i32>(lengths + ((<usize>b) << 2));
}

/** to[0…bytes) += from[0…bytes), bytes a multiple of 16. */
function addInto(to: usize, from: usize, bytes: usize): void {
  for (let i: usize = 0; i < bytes; i += 16)
    v128.store(to + i, f32x4.add(v128.load(from + i), v128.load(to + i)));
}

/**
 * Runs the recurrence: gates = gx[t] + h·W_hhᵀ, then the cell, for each step in order (reversed when `reverse`);
 * a row on a padded step keeps the previous state. `saved` = 0 keeps no activations. `gates` is scratch for
 * B × 4H floats and `work` a matmul work region.
 */
export function lstmSequence(
  steps: i32,
  batch: i32,
  hidden: i32,
  gx: usize,
  gxStep: i32,
  gxRow: i32,
  h0: usize,
  h0Row: i32,
  c0: usize,
  c0Row: i32,
  weightHh: usize,
  wRow: i32,
  wCol: i32,
  lengths: usize,
  reverse: bool,
  out: usize,
  saved: usize,
  gates: usize,
  work: usize,
): void {
  const gateWidth = 4 * hidden;
  const stateBytes = <usize>(2 * hidden) * 4;
  const hiddenBytes = <usize>hidden * 4;
  let hPrev = h0;
  let hRow = h0Row;
  let cPrev = c0;
  let cRow = c0Row;
  for (let k = 0; k < steps; k++) {
    const t = stepAt(k, steps, reverse);
    // h·W_hhᵀ: W_hhᵀ's element (p, j) is W_hh's (j, p).
    matmul(batch, gateWidth, hidden, hPrev, hRow, 1, weightHh, wCol, wRow, gates, gateWidth, work);
    for (let b = 0; b < batch; b++) {
      addInto(
        gates + <usize>(b * gateWidth) * 4,
        gx + <usize>(t * gxStep + b * gxRow) * 4,
        <usize>gateWidth * 4,
      );
    }
    const stepOut = out + <usize>(t * batch) * stateBytes;
    const stepSaved = saved === 0 ? 0 : saved + <usize>(t * batch * 5) * hiddenBytes;
    lstmCellGates(batch, hidden, gates, gateWidth, cPrev, cRow, stepOut, stepSaved);
    for (let b = 0; b < batch; b++) {
      if (isReal(lengths, b, t)) continue;
      const row = stepOut + <usize>b * stateBytes;
      memory.copy(row, hPrev + <usize>(b * hRow) * 4, hiddenBytes);
      memory.copy(row + hiddenBytes, cPrev + <usize>(b * cRow) * 4, hiddenBytes);
    }
    hPrev = stepOut;
    cPrev = stepOut + hiddenBytes;
    hRow = 2 * hidden;
    cRow = 2 * hidden;
  }
}

/**
 * Back through time from dOut [T, B, 2H] (strides dStep, dRow) and the forward's out and saved: writes dGx
 * (zero rows on padded steps) and the gradients dh0, dc0 of the initial states. Scratch: dhc for B × 2H floats,
 * dhPrev for B × H, and a matmul work region.
 */
export function lstmSequenceBackward(
  steps: i32,
  batch: i32,
  hidden: i32,
  dOut: usize,
  dStep: i32,
  dRow: i32,
  out: usize,
  saved: usize,
  c0: usize,
  c0Row: i32,
  weightHh: usize,
  wRow: i32,
  wCol: i32,
  lengths: usize,
  reverse: bool,
  dGx: usize,
  dh0: usize,
  dc0: usize,
  dhc: usize,
  dhPrev: usize,
  work: usize,
): void {
  const gateWidth = 4 * hidden;
  const stateBytes = <usize>(2 * hidden) * 4;
  const hiddenBytes = <usize>hidden * 4;
  // dh0 and dc0 hold the gradients of the state the step being undone started from; in the end, of h0 and c0.
  memory.fill(dh0, 0, <usize>batch * hiddenBytes);
  memory.fill(dc0, 0, <usize>batch * hiddenBytes);
  for (let k = steps - 1; k >= 0; k--) {
    const t = stepAt(k, steps, reverse);
    for (let b = 0; b < batch; b++) {
      const row = dhc + <usize>b * stateBytes;
      const from = dOut + <usize>(t * dStep + b * dRow) * 4;
      memory.copy(row, from, stateBytes);
      addInto(row, dh0 + <usize>b * hiddenBytes, hiddenBytes);
      addInto(row + hiddenBytes, dc0 + <usize>b * hiddenBytes, hiddenBytes);
    }
    let cPrev = c0;
    let cRow = c0Row;
    if (k > 0) {
      cPrev = out + <usize>(stepAt(k - 1, steps, reverse) * batch) * stateBytes + hiddenBytes;
      cRow = 2 * hidden;
    }
    const dGates = dGx + <usize>(t * batch * gateWidth) * 4;
    const stepSaved = saved + <usize>(t * batch * 5) * hiddenBytes;
    // dc0 was read into dhc above, so the step's dcPrev can go straight into it.
    lstmCellGatesBackward(batch, hidden, dhc, 2 * hidden, stepSaved, cPrev, cRow, dGates, dc0);
    for (let b = 0; b < batch; b++) {
      if (isReal(lengths, b, t)) continue;
      // A padded step passed its state through: so does its gradient, and its gates get none.
      memory.fill(dGates + <usize>(b * gateWidth) * 4, 0, <usize>gateWidth * 4);
      memory.copy(dh0 + <usize>b * hiddenBytes, dhc + <usize>b * stateBytes, hiddenBytes);
      memory.copy(dc0 + <usize>b * hiddenBytes, dhc + <usize>b * stateBytes + hiddenBytes, hiddenBytes);
    }
    matmul(batch, hidden, gateWidth, dGates, gateWidth, 1, weightHh, wRow, wCol, dhPrev, hidden, work);
    for (let b = 0; b < batch; b++) {
      if (isReal(lengths, b, t)) {
        memory.copy(dh0 + <usize>b * hiddenBytes, dhPrev + <usize>b * hiddenBytes, hiddenBytes);
      }
    }
  }
}
