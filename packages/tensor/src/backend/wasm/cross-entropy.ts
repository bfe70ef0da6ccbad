/**
 * @file Softmax cross-entropy on the WebAssembly SIMD kernels (assembly/cross-entropy.ts): the Backend's
 * softmaxCrossEntropy and its backward for float32 logits with contiguous rows. The logits (and the row vectors)
 * are copied into linear memory, the targets written after them as int32, the results copied out; float64 and
 * engines without WebAssembly SIMD take the portable kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import {
  softmaxCrossEntropyBackward as portableBackward,
  softmaxCrossEntropy as portableForward,
} from '../js/cross-entropy.js';
import { loadKernels } from './loader.js';
import { contiguousView, hasFloatRows, place, readFloats, writeInts } from './stage.js';

/** The Backend's softmaxCrossEntropy (see backend.ts). */
export function wasmSoftmaxCrossEntropy(
  x: StridedArray,
  target: Int32Array,
  labelSmoothing: number,
  loss: FloatArray,
  stats: FloatArray,
): void {
  const [rows, cols] = x.shape;
  const fits = rows > 0 && hasFloatRows(x) && loss instanceof Float32Array && stats instanceof Float32Array;
  const kernels = fits ? loadKernels() : null;
  // Scratch: x, then loss, then stats and the targets.
  const placed = kernels ? place(kernels, [x], rows * 4, rows * 12) : null;
  if (!kernels || !placed) {
    portableForward(x, target, labelSmoothing, loss, stats);
    return;
  }
  const [staged] = placed.operands;
  const statsAt = placed.extra;
  const targetAt = statsAt + rows * 8;
  writeInts(placed, targetAt, target);
  kernels.exports.softmaxCrossEntropy(
    rows,
    cols,
    staged.at,
    staged.strides[0],
    targetAt,
    labelSmoothing,
    placed.out,
    statsAt,
  );
  readFloats(placed, placed.out, loss);
  readFloats(placed, statsAt, stats);
}

/** The Backend's softmaxCrossEntropyBackward (see backend.ts). */
export function wasmSoftmaxCrossEntropyBackward(
  x: StridedArray,
  target: Int32Array,
  stats: FloatArray,
  g: FloatArray,
  labelSmoothing: number,
  out: FloatArray,
): void {
  const [rows, cols] = x.shape;
  const fits =
    rows > 0 &&
    hasFloatRows(x) &&
    stats instanceof Float32Array &&
    g instanceof Float32Array &&
    out instanceof Float32Array;
  const kernels = fits ? loadKernels() : null;
  // Scratch: x, stats, g, then out, then the targets.
  const vectors = [contiguousView(stats, [rows, 2]), contiguousView(g, [rows])];
  const placed = kernels ? place(kernels, [x, ...vectors], out.length * 4, rows * 4) : null;
  if (!kernels || !placed) {
    portableBackward(x, target, stats, g, labelSmoothing, out);
    return;
  }
  const [staged, saved, scale] = placed.operands;
  writeInts(placed, placed.extra, target);
  kernels.exports.softmaxCrossEntropyBackward(
    rows,
    cols,
    staged.at,
    staged.strides[0],
    placed.extra,
    saved.at,
    scale.at,
    labelSmoothing,
    placed.out,
  );
  readFloats(placed, placed.out, out);
}
