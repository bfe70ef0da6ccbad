/**
 * @file Layer norm on the WebAssembly SIMD kernels (assembly/layer-norm.ts): the Backend's layerNorm and
 * layerNormBackward for float32 rows. Operands are copied into linear memory and the results out, as for the other
 * row kernels; float64 and engines without WebAssembly SIMD take the portable kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import {
  layerNorm as portableLayerNorm,
  layerNormBackward as portableLayerNormBackward,
} from '../js/layer-norm.js';
import { loadKernels } from './loader.js';
import { contiguousView, hasFloatRows, place, readFloats } from './stage.js';

const isFloat32 = (x: FloatArray | null) => x === null || x instanceof Float32Array;
const isFloatVector = (v: StridedArray | null) =>
  v === null || (v.data instanceof Float32Array && v.strides[0] === 1);

/** The views that are present, and where each one lands among the placed operands (−1: absent). */
function present(views: readonly (StridedArray | null)[]): { views: StridedArray[]; slots: number[] } {
  const kept: StridedArray[] = [];
  const slots = views.map((v) => (v ? kept.push(v) - 1 : -1));
  return { views: kept, slots };
}

/** The Backend's layerNorm (see backend.ts). */
export function wasmLayerNorm(
  x: StridedArray,
  weight: StridedArray | null,
  bias: StridedArray | null,
  eps: number,
  out: FloatArray,
  stats: FloatArray | null,
): void {
  const [rows, cols] = x.shape;
  const fits =
    rows > 0 &&
    hasFloatRows(x) &&
    isFloatVector(weight) &&
    isFloatVector(bias) &&
    out instanceof Float32Array &&
    isFloat32(stats);
  const kernels = fits ? loadKernels() : null;
  const { views, slots } = present([x, weight, bias]);
  // Scratch: x, weight, bias, then out, then stats.
  const placed = kernels ? place(kernels, views, out.length * 4, rows * 8) : null;
  if (!kernels || !placed) {
    portableLayerNorm(x, weight, bias, eps, out, stats);
    return;
  }
  const address = (slot: number) => (slot < 0 ? 0 : placed.operands[slot].at);
  const staged = placed.operands[0];
  kernels.exports.layerNorm(
    rows,
    cols,
    staged.at,
    staged.strides[0],
    address(slots[1]),
    address(slots[2]),
    eps,
    placed.out,
    stats ? placed.extra : 0,
  );
  readFloats(placed, placed.out, out);
  if (stats) readFloats(placed, placed.extra, stats);
}

/** The Backend's layerNormBackward (see backend.ts). */
export function wasmLayerNormBackward(
  dy: StridedArray,
  x: StridedArray,
  weight: StridedArray | null,
  stats: FloatArray,
  dx: FloatArray | null,
  dWeight: FloatArray | null,
  dBias: FloatArray | null,
): void {
  const [rows, cols] = x.shape;
  const fits =
    rows > 0 &&
    hasFloatRows(dy) &&
    hasFloatRows(x) &&
    isFloatVector(weight) &&
    [stats, dx, dWeight, dBias].every(isFloat32);
  const kernels = fits ? loadKernels() : null;
  const { views, slots } = present([dy, x, contiguousView(stats, [rows, 2]), weight]);
  const padded = (cols + 3) & ~3;
  // Scratch: dy, x, stats, weight, then dx, then dWeight, dBias and the float64 sums behind them.
  const outBytes = dx ? dx.length * 4 : 0;
  const extraBytes = 2 * padded * 4 + 2 * padded * 8;
  const placed = kernels ? place(kernels, views, outBytes, extraBytes) : null;
  if (!kernels || !placed) {
    portableLayerNormBackward(dy, x, weight, stats, dx, dWeight, dBias);
    return;
  }
  const [g, input, saved] = placed.operands;
  const dWeightAt = placed.extra;
  const dBiasAt = dWeightAt + padded * 4;
  const accAt = dBiasAt + padded * 4;
  kernels.exports.layerNormBackward(
    rows,
    cols,
    g.at,
    g.strides[0],
    input.at,
    input.strides[0],
    slots[3] < 0 ? 0 : placed.operands[slots[3]].at,
    saved.at,
    dx ? placed.out : 0,
    dWeight ? dWeightAt : 0,
    dBias ? dBiasAt : 0,
    accAt,
  );
  if (dx) readFloats(placed, placed.out, dx);
  if (dWeight) readFloats(placed, dWeightAt, dWeight);
  if (dBias) readFloats(placed, dBiasAt, dBias);
}
