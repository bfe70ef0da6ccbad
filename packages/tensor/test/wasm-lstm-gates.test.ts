/**
 * The wasm backend's LSTM gate kernels (assembly/lstm-gates.ts) against the portable ones: random and extreme
 * pre-activations (the polynomial branches of tanh, exp's clamps, saturated gates), strided inputs, with and
 * without saved activations, and the layouts they hand to the portable kernels. The forward kernel's exp and tanh
 * are float32 polynomials within a few ulp, and the backward kernel rounds each product to float32 where the
 * portable one keeps float64 until the store, so values agree to a few float32 ulp.
 */
import { describe, expect, it } from 'vitest';
import type { StridedArray } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { loadKernels } from '../src/backend/wasm/loader.js';
import { wasmLstmCellGates, wasmLstmCellGatesBackward } from '../src/backend/wasm/lstm-gates.js';

const tolerance = { rtol: 4e-7, atol: 4e-7 };

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** A [rows, cols] view with row stride `rowStride` (≥ cols) and column stride `colStride`, at offset 3. */
function matrix(
  rows: number,
  cols: number,
  value: () => number,
  rowStride = cols,
  colStride = 1,
  ArrayType: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array,
): StridedArray {
  const data = new ArrayType(3 + rows * rowStride + cols * colStride);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) data[3 + r * rowStride + c * colStride] = value();
  return { data, shape: [rows, cols], strides: [rowStride, colStride], offset: 3 };
}

/** Runs both kernels on the same operands; returns [wasm, portable] outputs and saved activations. */
function both(gates: StridedArray, cPrev: StridedArray, save: boolean) {
  const [batch, hidden] = cPrev.shape;
  const Out = gates.data instanceof Float64Array ? Float64Array : Float32Array;
  const run = (kernel: typeof wasmLstmCellGates) => {
    const out = new Out(batch * 2 * hidden);
    const saved = save ? new Out(batch * 5 * hidden) : null;
    kernel(gates, cPrev, out, saved);
    return { out, saved };
  };
  return [run(wasmLstmCellGates), run(jsBackend.lstmCellGates)];
}

describe.skipIf(loadKernels() === null)('wasm LSTM gate kernel', () => {
  it('agrees with the portable kernel on random pre-activations, saving the activations', () => {
    const next = rng(1);
    const gates = matrix(5, 4 * 12, () => 6 * next());
    const cPrev = matrix(5, 12, () => 3 * next());
    const [wasm, portable] = both(gates, cPrev, true);
    expect(wasm.out).toBeAllClose(portable.out, tolerance);
    expect(wasm.saved).toBeAllClose(portable.saved, tolerance);
  });

  it('is accurate at the edges: 0, tiny, the tanh branch point, saturation, beyond exp’s range, NaN, ±∞', () => {
    const finite = [
      0, -0, 1e-30, -1e-8, 1e-3, 0.3124, 0.3126, -0.3126, 0.6249, 0.6251, 5, -9, 20, -45, 89, -100,
    ];
    const edges = [...finite, 1e4, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const hidden = 4 * Math.ceil(edges.length / 4);
    let k = 0;
    const value = () => edges[k++ % edges.length];
    const gates = matrix(4, 4 * hidden, value);
    const cPrev = matrix(4, hidden, value);
    const [wasm, portable] = both(gates, cPrev, true);
    expect(wasm.out).toBeAllClose(portable.out, tolerance);
    expect(wasm.saved).toBeAllClose(portable.saved, tolerance);
  });

  it('reads row-strided views (cPrev as a slice of [h | c]) and writes nothing when not saving', () => {
    const next = rng(2);
    const gates = matrix(3, 4 * 8, () => 4 * next(), 4 * 8 + 5);
    const cPrev = matrix(3, 8, () => next(), 16); // c of a [B, 2H] tensor
    const [wasm, portable] = both(gates, cPrev, false);
    expect(wasm.saved).toBeNull();
    expect(wasm.out).toBeAllClose(portable.out, tolerance);
  });

  it('hands other layouts to the portable kernel: odd hidden sizes, strided columns, float64', () => {
    const next = rng(3);
    const cases: [StridedArray, StridedArray][] = [
      [matrix(2, 4 * 5, next), matrix(2, 5, next)],
      [matrix(2, 4 * 8, next, 1, 2), matrix(2, 8, next)],
      [matrix(2, 4 * 8, next, 32, 1, Float64Array), matrix(2, 8, next, 8, 1, Float64Array)],
    ];
    for (const [gates, cPrev] of cases) {
      const [wasm, portable] = both(gates, cPrev, true);
      expect(wasm.out).toEqual(portable.out);
      expect(wasm.saved).toEqual(portable.saved);
    }
  });
});

/** Runs both backward kernels on the same operands; returns [wasm, portable] dGates and dcPrev (null: not wanted). */
function bothBackward(
  dhc: StridedArray,
  saved: Float32Array,
  cPrev: StridedArray,
  wantGates = true,
  wantC = true,
) {
  const [batch, hidden] = cPrev.shape;
  const run = (kernel: typeof wasmLstmCellGatesBackward) => {
    const dGates = wantGates ? new Float32Array(batch * 4 * hidden) : null;
    const dcPrev = wantC ? new Float32Array(batch * hidden) : null;
    kernel(dhc, saved, cPrev, dGates, dcPrev);
    return { dGates, dcPrev };
  };
  return [run(wasmLstmCellGatesBackward), run(jsBackend.lstmCellGatesBackward)];
}

/** Activations as the forward kernel saves them, from random pre-activations scaled by `spread`. */
function savedActivations(batch: number, hidden: number, spread: number, seed: number) {
  const next = rng(seed);
  const gates = matrix(batch, 4 * hidden, () => spread * next());
  const cPrev = matrix(batch, hidden, () => spread * next());
  const out = new Float32Array(batch * 2 * hidden);
  const saved = new Float32Array(batch * 5 * hidden);
  jsBackend.lstmCellGates(gates, cPrev, out, saved);
  return { cPrev, saved };
}

describe.skipIf(loadKernels() === null)('wasm LSTM gate backward kernel', () => {
  it('agrees with the portable kernel on random and saturated activations', () => {
    for (const [spread, seed] of [
      [2, 4],
      [30, 5],
    ]) {
      const { cPrev, saved } = savedActivations(6, 12, spread, seed);
      const next = rng(seed + 10);
      const dhc = matrix(6, 2 * 12, () => next());
      const [wasm, portable] = bothBackward(dhc, saved, cPrev);
      expect(wasm.dGates).toBeAllClose(portable.dGates, tolerance);
      expect(wasm.dcPrev).toBeAllClose(portable.dcPrev, tolerance);
      // It ran on the kernel: d[h | c] was staged at the start of the scratch region (this memory is not shared).
      const { exports } = loadKernels()!;
      const staged = new Float32Array(exports.memory.buffer, exports.heapBase(), 6 * 24);
      expect(staged).toEqual((dhc.data as Float32Array).subarray(3, 3 + 6 * 24));
    }
  });

  it('reads row-strided views (d[h | c] and cPrev as slices) and skips outputs that are not wanted', () => {
    const { saved } = savedActivations(3, 8, 3, 6);
    const next = rng(7);
    const dhc = matrix(3, 16, () => next(), 21);
    const cPrev = matrix(3, 8, () => next(), 16);
    for (const [wantGates, wantC] of [
      [true, true],
      [true, false],
      [false, true],
    ]) {
      const [wasm, portable] = bothBackward(dhc, saved, cPrev, wantGates, wantC);
      expect(wasm.dGates === null).toBe(!wantGates);
      expect(wasm.dcPrev === null).toBe(!wantC);
      if (wantGates) expect(wasm.dGates).toBeAllClose(portable.dGates, tolerance);
      if (wantC) expect(wasm.dcPrev).toBeAllClose(portable.dcPrev, tolerance);
    }
  });

  it('propagates NaN and ±∞ in the incoming gradient as the portable kernel does', () => {
    const { cPrev, saved } = savedActivations(2, 4, 2, 8);
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1e30, -1e-30, 0.5, -2];
    let k = 0;
    const dhc = matrix(2, 8, () => values[k++ % values.length]);
    const [wasm, portable] = bothBackward(dhc, saved, cPrev);
    expect(wasm.dGates).toBeAllClose(portable.dGates, tolerance);
    expect(wasm.dcPrev).toBeAllClose(portable.dcPrev, tolerance);
  });

  it('hands other layouts to the portable kernel: odd hidden sizes and strided columns, bit for bit', () => {
    const odd = savedActivations(2, 5, 2, 9);
    const next = rng(11);
    const cases: [StridedArray, Float32Array, StridedArray][] = [
      [matrix(2, 10, next), odd.saved, odd.cPrev],
      [matrix(2, 16, next, 40, 2), savedActivations(2, 8, 2, 12).saved, matrix(2, 8, next)],
    ];
    for (const [dhc, saved, cPrev] of cases) {
      const [wasm, portable] = bothBackward(dhc, saved, cPrev);
      expect(wasm.dGates).toEqual(portable.dGates);
      expect(wasm.dcPrev).toEqual(portable.dcPrev);
    }
  });
});
