/**
 * @file Batched float32 matmul on the WebAssembly SIMD kernel. Tensors keep their JS-owned storage: each call
 * copies the spans the operands touch into linear memory, runs the kernel once per batch entry (each entry's
 * A and B keep their own strides, so transposed and expanded views are absorbed by the kernel's packing), and
 * copies the contiguous product out with one `set`. From n = 64 up the copies cost a few percent of the kernel.
 * Float64 products, tiny products, and engines without WebAssembly SIMD take the portable kernel.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import { batchedMatmul } from '../js/batched-matmul.js';
import { forEachRow } from '../js/iterate.js';
import { type Kernels, loadKernels } from './loader.js';
import { reserveScratch } from './scratch.js';
import { planStage, stage } from './stage.js';

/**
 * Products of at most this many multiply-adds per matrix (8×8×8) are faster on the portable kernel: the wasm
 * path costs a fixed ~0.4 µs (copies, call), against 0.33 µs for a whole 8×8×8 product in JS.
 */
const tinyProduct = 512;

/** Rounds an element count up to a multiple of 4, so each staged operand starts 16-byte aligned. */
const align4 = (elements: number) => (elements + 3) & ~3;

/** The Backend's matmul: a [...batch, M, K] · b [...batch, K, N] → out [...batch, M, N], same batch dims. */
export function wasmMatmul(a: StridedArray, b: StridedArray, out: FloatArray): void {
  const rank = a.shape.length;
  const multiplyAdds = a.shape[rank - 2] * a.shape[rank - 1] * b.shape[rank - 1];
  const kernels = multiplyAdds > tinyProduct ? loadKernels() : null;
  if (!kernels || !matmulOnKernels(kernels, a, b, out)) batchedMatmul(a, b, out);
}

/**
 * The product on the wasm kernels, whatever the size; false (out untouched) if it is not float32 or linear
 * memory cannot grow to hold it.
 */
export function matmulOnKernels(
  kernels: Kernels,
  a: StridedArray,
  b: StridedArray,
  out: FloatArray,
): boolean {
  if (!(a.data instanceof Float32Array && b.data instanceof Float32Array && out instanceof Float32Array)) {
    return false;
  }
  if (out.length === 0) return true;
  const rank = a.shape.length;
  const m = a.shape[rank - 2];
  const k = a.shape[rank - 1];
  const n = b.shape[rank - 1];
  const planA = planStage(a);
  const planB = planStage(b);
  const bAt = align4(planA.length);
  const cAt = bAt + align4(planB.length);
  const heap = reserveScratch(kernels, (cAt + out.length) * 4);
  if (!heap) return false;
  const base = kernels.exports.heapBase() / 4;
  const sa = stage(a, planA, heap, base);
  const sb = stage(b, planB, heap, base + bAt);
  const product = kernels.exports.matmul;
  const [aRow, aCol] = sa.strides.slice(rank - 2);
  const [bRow, bCol] = sb.strides.slice(rank - 2);
  let c = base + cAt;
  // Batch dims are walked as rows of length 1 over a trailing unit dim, as in js/batched-matmul.ts.
  const batchShape = [...a.shape.slice(0, rank - 2), 1];
  const strides = [
    [...sa.strides.slice(0, rank - 2), 0],
    [...sb.strides.slice(0, rank - 2), 0],
  ];
  forEachRow(batchShape, strides, [sa.offset, sb.offset], ([aStart, bStart]) => {
    product(m, n, k, aStart * 4, aRow, aCol, bStart * 4, bRow, bCol, c * 4);
    c += m * n;
  });
  out.set(heap.subarray(base + cAt, base + cAt + out.length));
  return true;
}
