/**
 * @file An LSTM layer's time loop on the WebAssembly kernels (assembly/lstm-sequence.ts): the Backend's
 * lstmSequence and lstmSequenceBackward for float32 operands with contiguous columns and a hidden size that is a
 * multiple of 4. The operands are copied into linear memory once per call — W_hh once per sequence, not once
 * per step — and the loop runs as one job: on the calling thread alone, or with worker threads splitting each
 * step's units between them (threads/pool.ts). Anything else takes the portable loop over the wasm kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import {
  lstmSequenceBackwardOn,
  lstmSequenceOn,
  type SequenceArgs,
  type SequenceBackwardArgs,
  type StepKernels,
} from '../js/lstm-sequence.js';
import { type Kernels, loadKernels } from './loader.js';
import { contiguousView, hasFloatRows, type Placed, place, readFloats, writeInts } from './stage.js';
import { type Crew, crewFor, runLstmJob } from './threads/pool.js';

const floats32 = (...arrays: (FloatArray | null)[]): boolean =>
  arrays.every((x) => x === null || x instanceof Float32Array);

const align64 = (bytes: number) => (bytes + 63) & ~63;

/** Words of a job, in the order assembly/lstm-sequence.ts reads them. */
const JOB_WORDS = 26;

/**
 * Steps whose product h·W_hhᵀ has fewer multiply-adds than this (64² × 64, ≈ 10 µs on one thread) run on one
 * thread: the threads wait for each other at every step, which costs more than splitting so little saves.
 */
const splitStep = 2 ** 18;

/** Where a job runs: the calling thread's kernels, or the thread pool's shared ones with a crew. */
interface Runner {
  kernels: Kernels;
  crew: Crew | null;
  /** Threads taking part (1 without a crew), each with a work region; units per step are split among them. */
  threads: number;
}

/**
 * The kernels for a sequence of `steps` × [B, 4H]·[4H, H] products, split across threads when they are free
 * (large products wake sleeping workers), or null: the portable loop then runs over the wasm step kernels.
 */
function runnerFor(
  steps: number,
  batch: number,
  hidden: number,
  operands: StridedArray[],
  outputs: (FloatArray | null)[],
): Runner | null {
  if (hidden % 4 !== 0 || batch === 0 || !operands.every(hasFloatRows) || !floats32(...outputs)) return null;
  const own = loadKernels();
  if (!own) return null;
  const stepProduct = batch * 4 * hidden * hidden;
  const crew = stepProduct >= splitStep ? crewFor(steps * stepProduct) : null;
  // Each thread takes a block of units per step; blocks of fewer than 4 units would not fill a vector.
  if (!crew || crew.participants > hidden / 4) return { kernels: own, crew: null, threads: 1 };
  return { kernels: crew.pool.kernels, crew, threads: crew.participants };
}

/** Where a staged job's pieces are: the operands and result, the first work region, the job's words. */
interface Layout {
  placed: Placed;
  work: number;
  job: number;
}

/**
 * Stages the operands with the result and `scratchBytes` after it, then a 64-byte-aligned work region per thread
 * and the job's words; null if linear memory cannot grow that far.
 */
function layOut(
  runner: Runner,
  views: StridedArray[],
  outBytes: number,
  scratchBytes: number,
): Layout | null {
  const workBytes = runner.kernels.exports.workBytes();
  const workOffset = align64(scratchBytes) + 64;
  const jobOffset = workOffset + runner.threads * workBytes;
  const placed = place(runner.kernels, views, outBytes, jobOffset + JOB_WORDS * 4);
  if (!placed) return null;
  const work = align64(placed.extra + workOffset - 63);
  return { placed, work, job: placed.extra + jobOffset };
}

/**
 * Runs the job on the crew, or on the calling thread alone; false if the crew failed (threads are off now, and
 * the caller recomputes, alone).
 */
function runJob(runner: Runner, layout: Layout, job: number[]): boolean {
  if (runner.crew) return runLstmJob(runner.crew, job, layout.work);
  layout.placed.scratch.words.set(job, layout.job / 4);
  runner.kernels.exports.lstmSequenceRun(layout.job, layout.work);
  return true;
}

/** Writes the lengths (or nothing) at byte address `at`; returns the address to pass, 0 for none. */
function writeLengths(placed: Placed, at: number, lengths: Int32Array | null): number {
  if (!lengths) return 0;
  writeInts(placed, at, lengths);
  return at;
}

/** The Backend's lstmSequence (see backend.ts), with `fallback`'s step kernels where the fused loop does not apply. */
export function wasmLstmSequence(fallback: StepKernels, ...args: SequenceArgs): void {
  const [gx, h0, c0, weightHh, bias, lengths, reverse, out, saved] = args;
  const [steps, batch, gateWidth] = gx.shape;
  const hidden = gateWidth / 4;
  const operands = bias ? [gx, h0, c0, bias] : [gx, h0, c0];
  const runner =
    weightHh.data instanceof Float32Array ? runnerFor(steps, batch, hidden, operands, [out, saved]) : null;
  // Scratch after the result: saved, the step's gates, the lengths.
  const savedBytes = (saved?.length ?? 0) * 4;
  const gatesBytes = batch * gateWidth * 4;
  const layout =
    runner && layOut(runner, [...operands, weightHh], out.length * 4, savedBytes + gatesBytes + batch * 4);
  if (!runner || !layout) {
    lstmSequenceOn(fallback, ...args);
    return;
  }
  const { placed } = layout;
  const [x, h, c] = placed.operands;
  const w = placed.operands[operands.length];
  const biasAt = bias ? placed.operands[3].at : 0;
  const gates = placed.extra + savedBytes;
  const lengthsAt = writeLengths(placed, gates + gatesBytes, lengths);
  // biome-ignore format: the job's words, in lstm-sequence.ts's order
  const job = [
    0, steps, batch, hidden, runner.threads, lengthsAt, reverse ? 1 : 0, w.at, w.strides[0], w.strides[1],
    x.at, x.strides[0], x.strides[1], h.at, h.strides[0], c.at, c.strides[0], placed.out, saved ? placed.extra : 0,
    gates, 0, 0, 0, 0, 0, biasAt,
  ];
  if (!runJob(runner, layout, job)) {
    wasmLstmSequence(fallback, ...args);
    return;
  }
  readFloats(placed, placed.out, out);
  if (saved) readFloats(placed, placed.extra, saved);
}

/** The Backend's lstmSequenceBackward (see backend.ts), with the same fallback. */
export function wasmLstmSequenceBackward(fallback: StepKernels, ...args: SequenceBackwardArgs): void {
  const [dOut, out, saved, c0, weightHh, lengths, reverse, dGx, dh0, dc0] = args;
  const [steps, batch, stateWidth] = dOut.shape;
  const hidden = stateWidth / 2;
  const runner =
    weightHh.data instanceof Float32Array
      ? runnerFor(steps, batch, hidden, [dOut, c0], [out, saved, dGx, dh0, dc0])
      : null;
  // Scratch after dGx: dh and dc (ending as dh0, dc0), d[h | c], the product dGates·W_hh, the lengths.
  const stateBytes = batch * hidden * 4;
  const views = [
    dOut,
    c0,
    weightHh,
    contiguousView(out, [steps, batch, stateWidth]),
    contiguousView(saved, [steps, batch, 5 * hidden]),
  ];
  const layout = runner && layOut(runner, views, dGx.length * 4, 5 * stateBytes + batch * 4);
  if (!runner || !layout) {
    lstmSequenceBackwardOn(fallback, ...args);
    return;
  }
  const { placed } = layout;
  const [d, c, w, o, s] = placed.operands;
  const dhAt = placed.extra;
  const dcAt = dhAt + stateBytes;
  const dhcAt = dcAt + stateBytes;
  const productAt = dhcAt + 2 * stateBytes;
  placed.scratch.floats.fill(0, dhAt / 4, dhcAt / 4);
  const lengthsAt = writeLengths(placed, productAt + stateBytes, lengths);
  // biome-ignore format: the job's words, in lstm-sequence.ts's order
  const job = [
    1, steps, batch, hidden, runner.threads, lengthsAt, reverse ? 1 : 0, w.at, w.strides[0], w.strides[1],
    d.at, d.strides[0], d.strides[1], 0, 0, c.at, c.strides[0], o.at, s.at,
    0, placed.out, dhAt, dcAt, dhcAt, productAt, 0,
  ];
  if (!runJob(runner, layout, job)) {
    wasmLstmSequenceBackward(fallback, ...args);
    return;
  }
  readFloats(placed, placed.out, dGx);
  readFloats(placed, dhAt, dh0);
  readFloats(placed, dcAt, dc0);
}
