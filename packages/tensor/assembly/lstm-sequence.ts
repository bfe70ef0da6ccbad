/**
 * @file An LSTM layer's time loop in one direction, forward and back through time, as one job: W_hh, the states
 * and the activations stay in linear memory for the whole sequence, and the caller (src/backend/wasm/
 * lstm-sequence.ts) stages the operands once. The job is a list of tasks, each a block of hidden units at one
 * step; tasks run in order, and a task starts only when every task of the phase before it is done (each step
 * needs all of the previous h). On one thread `lstmSequenceRun` runs them in turn; with worker threads each
 * thread claims the next task (`lstmWork`, called from threads.ts), so two threads split every step's product
 * and gate math between them and synchronise in linear memory, not through JavaScript.
 *
 *   forward, step t, units U:   gates[:, U of each gate] = h·W_hhᵀ (four products) + gx[t] + bias; the cell on U
 *   backward, step t, phase A:  dGates[t][:, U of each gate] and dc[:, U] from d[h | c] (the cell's backward)
 *   backward, step t, phase B:  dh[:, U] = dGates[t] · W_hh[:, U]   (needs every unit's dGates: a phase of its own)
 *
 * A row on a padded step (t ≥ lengths[b]) carries the previous state over, and its gradient passes through.
 */
import { units, unitsBackward } from './lstm-gates';
import { matmul } from './matmul';

// The job's words (i32), written by the caller: see src/backend/wasm/lstm-sequence.ts.
const BACKWARD = 0;
const STEPS = 1;
const BATCH = 2;
const HIDDEN = 3;
const BLOCKS = 4;
const LENGTHS = 5;
const REVERSE = 6;
const W = 7;
const W_ROW = 8;
const W_COL = 9;
/** gx (forward) or dOut (backward), with its step and row strides. */
const X = 10;
const X_STEP = 11;
const X_ROW = 12;
const H0 = 13;
const H0_ROW = 14;
const C0 = 15;
const C0_ROW = 16;
const OUT = 17;
const SAVED = 18;
/** Forward: the step's gates [B, 4H]. */
const GATES = 19;
/** Backward: dGx [T, B, 4H], dh and dc [B, H] (the gradients of the state being undone, finally of h0, c0),
 * d[h | c] [B, 2H] and the product dGates·W_hh [B, H]. */
const D_GX = 20;
const DH = 21;
const DC = 22;
const DHC = 23;
const DH_PREV = 24;
/** Forward: the bias [4H] added to every step's gates, or 0. */
const BIAS = 25;

const word = (job: usize, at: i32): i32 => load<i32>(job + ((<usize>at) << 2));
const address = (job: usize, at: i32): usize => <usize>load<i32>(job + ((<usize>at) << 2));

/** The step a direction processes k-th. */
function stepAt(job: usize, k: i32): i32 {
  return word(job, REVERSE) !== 0 ? word(job, STEPS) - 1 - k : k;
}

/** Whether row b is a real token at step t. */
function isReal(job: usize, b: i32, t: i32): bool {
  const lengths = address(job, LENGTHS);
  return lengths === 0 || t < load<i32>(lengths + ((<usize>b) << 2));
}

/** Tasks in the job: a block of units per step (forward) or per phase of a step (backward). */
export function lstmTaskCount(job: usize): i32 {
  return word(job, STEPS) * word(job, BLOCKS) * (word(job, BACKWARD) !== 0 ? 2 : 1);
}

/** The first task of task i's phase: task i may start once every task before that one is done. */
export function lstmPhaseStart(job: usize, i: i32): i32 {
  const blocks = word(job, BLOCKS);
  return (i / blocks) * blocks;
}

/** Runs task i with `work` as its matmul work region. */
export function lstmTask(job: usize, i: i32, work: usize): void {
  const blocks = word(job, BLOCKS);
  const hidden = word(job, HIDDEN);
  const block = i % blocks;
  // Units [from, to) of block j: multiples of 4, the vector width of the gate math.
  const from = (((block * hidden) / blocks) >> 2) << 2;
  const to = block === blocks - 1 ? hidden : ((((block + 1) * hidden) / blocks) >> 2) << 2;
  if (word(job, BACKWARD) === 0) {
    forwardTask(job, i / blocks, from, to, work);
  } else {
    const phase = i / blocks;
    if ((phase & 1) === 0) cellBackwardTask(job, phase >> 1, from, to);
    else productBackwardTask(job, phase >> 1, from, to, work);
  }
}

/** The state the k-th processed step starts from: h0/c0 or the previous step's [h | c] row block. */
function previousState(job: usize, k: i32, cell: bool): usize {
  if (k === 0) return address(job, cell ? C0 : H0);
  const hidden = <usize>word(job, HIDDEN);
  const row = <usize>(stepAt(job, k - 1) * word(job, BATCH)) * 2 * hidden;
  return address(job, OUT) + (row + (cell ? hidden : 0)) * 4;
}

function previousRow(job: usize, k: i32, cell: bool): i32 {
  return k === 0 ? word(job, cell ? C0_ROW : H0_ROW) : 2 * word(job, HIDDEN);
}

function forwardTask(job: usize, k: i32, from: i32, to: i32, work: usize): void {
  const batch = word(job, BATCH);
  const hidden = word(job, HIDDEN);
  const gateWidth = 4 * hidden;
  const t = stepAt(job, k);
  const hPrev = previousState(job, k, false);
  const hRow = previousRow(job, k, false);
  const cPrev = previousState(job, k, true);
  const cRow = previousRow(job, k, true);
  const gates = address(job, GATES);
  const w = address(job, W);
  const wRow = word(job, W_ROW);
  const wCol = word(job, W_COL);
  const count = to - from;
  // gates[:, gate·H + U] = h · W_hhᵀ restricted to those columns (W_hhᵀ's element (p, j) is W_hh's (j, p)).
  for (let gate = 0; gate < 4; gate++) {
    const column = gate * hidden + from;
    const rows = w + <usize>(column * wRow) * 4;
    matmul(
      batch,
      count,
      hidden,
      hPrev,
      hRow,
      1,
      rows,
      wCol,
      wRow,
      gates + <usize>column * 4,
      gateWidth,
      work,
    );
  }
  const x = address(job, X);
  const xStep = word(job, X_STEP);
  const xRow = word(job, X_ROW);
  const hb = <usize>hidden * 4;
  const out = address(job, OUT) + <usize>(t * batch) * 2 * hb;
  const saved = address(job, SAVED);
  const stepSaved = saved === 0 ? 0 : saved + <usize>(t * batch) * 5 * hb;
  const bias = address(job, BIAS);
  for (let b = 0; b < batch; b++) {
    const g = gates + <usize>(b * gateWidth) * 4;
    const xb = x + <usize>(t * xStep + b * xRow) * 4;
    for (let gate = 0; gate < 4; gate++) {
      const at = <usize>(gate * hidden + from) * 4;
      addInto(g + at, xb + at, <usize>count * 4);
      if (bias !== 0) addInto(g + at, bias + at, <usize>count * 4);
    }
    const c = cPrev + <usize>(b * cRow) * 4;
    const o = out + <usize>b * 2 * hb;
    const s = stepSaved + <usize>b * 5 * hb;
    // Padded rows too, so that `saved` is fully written (their gates get no gradient all the same).
    for (let u = <usize>from * 4; u < <usize>to * 4; u += 16) units(g, c, o, s, hb, u, saved !== 0);
    if (!isReal(job, b, t)) {
      memory.copy(o + <usize>from * 4, hPrev + <usize>(b * hRow + from) * 4, <usize>count * 4);
      memory.copy(o + hb + <usize>from * 4, c + <usize>from * 4, <usize>count * 4);
    }
  }
}

/** Phase A of step k: d[h | c] on U from dOut[t] and the carried gradients, then the cell's backward on U. */
function cellBackwardTask(job: usize, k: i32, from: i32, to: i32): void {
  const batch = word(job, BATCH);
  const hidden = word(job, HIDDEN);
  const hb = <usize>hidden * 4;
  // Backward steps are processed last to first.
  const kk = word(job, STEPS) - 1 - k;
  const t = stepAt(job, kk);
  const cPrev = previousState(job, kk, true);
  const cRow = previousRow(job, kk, true);
  const dOut = address(job, X);
  const dStep = word(job, X_STEP);
  const dRow = word(job, X_ROW);
  const dh = address(job, DH);
  const dc = address(job, DC);
  const dhc = address(job, DHC);
  const dGates = address(job, D_GX) + <usize>(t * batch) * 4 * hb;
  const saved = address(job, SAVED) + <usize>(t * batch) * 5 * hb;
  const start = <usize>from * 4;
  const bytes = <usize>(to - from) * 4;
  for (let b = 0; b < batch; b++) {
    const d = dhc + <usize>b * 2 * hb;
    const from0 = dOut + <usize>(t * dStep + b * dRow) * 4;
    const dhb = dh + <usize>b * hb;
    const dcb = dc + <usize>b * hb;
    sumInto(d + start, from0 + start, dhb + start, bytes);
    sumInto(d + hb + start, from0 + hb + start, dcb + start, bytes);
    const g = dGates + <usize>b * 4 * hb;
    if (isReal(job, b, t)) {
      const s = saved + <usize>b * 5 * hb;
      const c = cPrev + <usize>(b * cRow) * 4;
      // dc was read into d[h | c] above, so the step's dcPrev can go straight into it.
      for (let u = start; u < start + bytes; u += 16) unitsBackward(d, s, c, g, dcb, hb, u, true, true);
    } else {
      // A padded step passed its state through: so does its gradient, and its gates get none.
      for (let gate: usize = 0; gate < 4; gate++) memory.fill(g + gate * hb + start, 0, bytes);
      memory.copy(dhb + start, d + start, bytes);
      memory.copy(dcb + start, d + hb + start, bytes);
    }
  }
}

/** Phase B of step k: dh[:, U] = dGates[t] · W_hh[:, U] on the real rows. */
function productBackwardTask(job: usize, k: i32, from: i32, to: i32, work: usize): void {
  const batch = word(job, BATCH);
  const hidden = word(job, HIDDEN);
  const hb = <usize>hidden * 4;
  const t = stepAt(job, word(job, STEPS) - 1 - k);
  const dGates = address(job, D_GX) + <usize>(t * batch) * 4 * hb;
  const product = address(job, DH_PREV);
  const w = address(job, W) + <usize>(from * word(job, W_COL)) * 4;
  const start = <usize>from * 4;
  matmul(
    batch,
    to - from,
    4 * hidden,
    dGates,
    4 * hidden,
    1,
    w,
    word(job, W_ROW),
    word(job, W_COL),
    product + start,
    hidden,
    work,
  );
  const dh = address(job, DH);
  for (let b = 0; b < batch; b++) {
    if (!isReal(job, b, t)) continue;
    memory.copy(dh + <usize>b * hb + start, product + <usize>b * hb + start, <usize>(to - from) * 4);
  }
}

/** to[0…bytes) += from[0…bytes), bytes a multiple of 16. */
function addInto(to: usize, from: usize, bytes: usize): void {
  for (let i: usize = 0; i < bytes; i += 16)
    v128.store(to + i, f32x4.add(v128.load(from + i), v128.load(to + i)));
}

/** to[0…bytes) = a[…] + b[…], bytes a multiple of 16. */
function sumInto(to: usize, a: usize, b: usize, bytes: usize): void {
  for (let i: usize = 0; i < bytes; i += 16)
    v128.store(to + i, f32x4.add(v128.load(a + i), v128.load(b + i)));
}

/** Runs the job at `job` on the calling thread alone, every task in turn. */
export function lstmSequenceRun(job: usize, work: usize): void {
  const count = lstmTaskCount(job);
  for (let i = 0; i < count; i++) lstmTask(job, i, work);
}
