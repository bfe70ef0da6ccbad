/**
 * @file An LSTM layer's time loop on the WebAssembly kernels (assembly/lstm-sequence.ts): the Backend's
 * lstmSequence and lstmSequenceBackward for float32 operands with contiguous columns and a hidden size that is a
 * multiple of 4. The operands are copied into linear memory once per call — W_hh once per sequence, not once
 * per step — and the loop runs on one thread. Anything else takes the portable loop over the wasm kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import { lstmSequenceBackwardOn, lstmSequenceOn, type StepKernels } from '../js/lstm-sequence.js';
import { type Kernels, loadKernels } from './loader.js';
import { place, readFloats } from './stage.js';

/** Float32 with contiguous columns (the kernels' row loads are vector loads). */
const fits = (x: StridedArray): boolean =>
  x.data instanceof Float32Array && x.strides[x.strides.length - 1] === 1;

const floats32 = (...arrays: (FloatArray | null)[]): boolean =>
  arrays.every((x) => x === null || x instanceof Float32Array);

/** A contiguous float32 array seen as `shape`, for staging. */
const contiguousView = (data: FloatArray, shape: number[]): StridedArray => ({
  data,
  shape,
  strides: shape.map((_, d) => shape.slice(d + 1).reduce((p, s) => p * s, 1)),
  offset: 0,
});

/** 64-byte alignment for the matmul work region (its pack buffers are read a cache line at a time). */
const align64 = (bytes: number) => (bytes + 63) & ~63;

/** The kernels for a sequence of `hidden` units, or null: the portable loop then runs on `fallback`. */
function kernelsFor(
  hidden: number,
  batch: number,
  operands: StridedArray[],
  outputs: (FloatArray | null)[],
): Kernels | null {
  if (hidden % 4 !== 0 || batch === 0 || !operands.every(fits) || !floats32(...outputs)) return null;
  return loadKernels();
}

/** Writes the lengths (or nothing) at byte address `at`; returns the address to pass, 0 for none. */
function writeLengths(words: Int32Array, at: number, lengths: Int32Array | null): number {
  if (!lengths) return 0;
  words.set(lengths, at / 4);
  return at;
}

/** The Backend's lstmSequence (see backend.ts), with `fallback`'s step kernels where the fused loop does not apply. */
export function wasmLstmSequence(
  fallback: StepKernels,
  gx: StridedArray,
  h0: StridedArray,
  c0: StridedArray,
  weightHh: StridedArray,
  lengths: Int32Array | null,
  reverse: boolean,
  out: FloatArray,
  saved: FloatArray | null,
): void {
  const [steps, batch, gateWidth] = gx.shape;
  const hidden = gateWidth / 4;
  const kernels = kernelsFor(hidden, batch, [gx, h0, c0], [out, saved]);
  const { exports } = kernels ?? { exports: null };
  // Scratch after the result: saved, the step's gates, the lengths, then the work region.
  const savedBytes = (saved?.length ?? 0) * 4;
  const gatesBytes = batch * gateWidth * 4;
  const workOffset = align64(savedBytes + gatesBytes + batch * 4 + 64);
  const placed =
    kernels && exports && weightHh.data instanceof Float32Array
      ? place(kernels, [gx, h0, c0, weightHh], out.length * 4, workOffset + exports.workBytes())
      : null;
  if (!exports || !placed) {
    lstmSequenceOn(fallback, gx, h0, c0, weightHh, lengths, reverse, out, saved);
    return;
  }
  const [x, h, c, w] = placed.operands;
  const gates = placed.extra + savedBytes;
  const lengthsAt = writeLengths(placed.scratch.words, gates + gatesBytes, lengths);
  const work = align64(placed.extra + workOffset - 63);
  exports.lstmSequence(
    steps,
    batch,
    hidden,
    x.at,
    x.strides[0],
    x.strides[1],
    h.at,
    h.strides[0],
    c.at,
    c.strides[0],
    w.at,
    w.strides[0],
    w.strides[1],
    lengthsAt,
    reverse ? 1 : 0,
    placed.out,
    saved ? placed.extra : 0,
    gates,
    work,
  );
  readFloats(placed, placed.out, out);
  if (saved) readFloats(placed, placed.extra, saved);
}

/** The Backend's lstmSequenceBackward (see backend.ts), with the same fallback. */
export function wasmLstmSequenceBackward(
  fallback: StepKernels,
  dOut: StridedArray,
  out: FloatArray,
  saved: FloatArray,
  c0: StridedArray,
  weightHh: StridedArray,
  lengths: Int32Array | null,
  reverse: boolean,
  dGx: FloatArray,
  dh0: FloatArray,
  dc0: FloatArray,
): void {
  const [steps, batch, stateWidth] = dOut.shape;
  const hidden = stateWidth / 2;
  const kernels = kernelsFor(hidden, batch, [dOut, c0], [out, saved, dGx, dh0, dc0]);
  const { exports } = kernels ?? { exports: null };
  // Scratch after dGx: dh0, dc0, dhc, dhPrev, the lengths, then the work region.
  const stateBytes = batch * hidden * 4;
  const workOffset = align64(5 * stateBytes + batch * 4 + 64);
  const placed =
    kernels && exports && weightHh.data instanceof Float32Array
      ? place(
          kernels,
          [
            dOut,
            c0,
            weightHh,
            contiguousView(out, [steps, batch, stateWidth]),
            contiguousView(saved, [steps, batch, 5 * hidden]),
          ],
          dGx.length * 4,
          workOffset + exports.workBytes(),
        )
      : null;
  if (!exports || !placed) {
    lstmSequenceBackwardOn(fallback, dOut, out, saved, c0, weightHh, lengths, reverse, dGx, dh0, dc0);
    return;
  }
  const [d, c, w, o, s] = placed.operands;
  const dh0At = placed.extra;
  const dc0At = dh0At + stateBytes;
  const dhcAt = dc0At + stateBytes;
  const dhPrevAt = dhcAt + 2 * stateBytes;
  const lengthsAt = writeLengths(placed.scratch.words, dhPrevAt + stateBytes, lengths);
  const work = align64(placed.extra + workOffset - 63);
  exports.lstmSequenceBackward(
    steps,
    batch,
    hidden,
    d.at,
    d.strides[0],
    d.strides[1],
    o.at,
    s.at,
    c.at,
    c.strides[0],
    w.at,
    w.strides[0],
    w.strides[1],
    lengthsAt,
    reverse ? 1 : 0,
    placed.out,
    dh0At,
    dc0At,
    dhcAt,
    dhPrevAt,
    work,
  );
  readFloats(placed, placed.out, dGx);
  readFloats(placed, dh0At, dh0);
  readFloats(placed, dc0At, dc0);
}
