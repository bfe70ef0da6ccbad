/**
 * @file Batched float32 matmul on the WebAssembly SIMD kernel. Tensors keep their JS-owned storage: each call
 * copies the spans the operands touch into linear memory, runs the kernel once per batch entry (each entry's
 * A and B keep their own strides, so transposed and expanded views are absorbed by the kernel's packing), and
 * copies the contiguous product out with one `set`. From n = 64 up the copies cost a few percent of the kernel.
 * Large products are split across worker threads sharing a memory (threads/); the copies stay on the caller.
 * A linear layer's bias is added to the product while it is still in linear memory. Float64 products, tiny
 * products, and engines without WebAssembly SIMD take the portable kernel.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import { batchedMatmul } from '../js/batched-matmul.js';
import { forEachRow } from '../js/iterate.js';
import { addBias, linear as portableLinear, transposed } from '../js/linear.js';
import { type Kernels, loadKernels } from './loader.js';
import { reserveScratch } from './scratch.js';
import { planStage, stage, stagedView } from './stage.js';
import { CONTROL_BYTES } from './threads/control.js';
import { crewFor, runJob } from './threads/pool.js';
import { splitTasks } from './threads/split.js';

/**
 * Products of at most this many multiply-adds per matrix (8×8×8) are faster on the portable kernel: the wasm
 * path costs a fixed ~0.4 µs (copies, call), against 0.33 µs for a whole 8×8×8 product in JS.
 */
const tinyProduct = 512;

/**
 * Products whose batch entries each have fewer multiply-adds than this (64³) stay on one thread: below it, handing
 * work to a worker and waiting for it costs more than it saves (measured: see the README). That holds for a batch of
 * small entries too, whatever their total: attention's per-head products ([128 × 32×64×32], from strided views of
 * the fused projection) took 1.37 instead of 1.73 ms on one thread, a [256 × 8×64×8] one 0.10 instead of 0.12;
 * contiguous [128 × 32×64×32] the same either way, and from 128×64×128 per entry on splitting pays (1.31 vs 1.65).
 */
const splitProduct = 2 ** 18;

/** Rounds an element count up to a multiple of 4, so each staged operand starts 16-byte aligned. */
const align4 = (elements: number) => (elements + 3) & ~3;

/** The Backend's matmul: a [...batch, M, K] · b [...batch, K, N] → out [...batch, M, N], same batch dims. */
export function wasmMatmul(a: StridedArray, b: StridedArray, out: FloatArray): void {
  const kernels = kernelsFor(a, b);
  if (!kernels || !matmulOnKernels(kernels, a, b, out)) batchedMatmul(a, b, out);
}

/** The kernels for a · b, or null for a tiny product (per batch entry) or where there are none. */
function kernelsFor(a: StridedArray, b: StridedArray): Kernels | null {
  const rank = a.shape.length;
  const multiplyAdds = a.shape[rank - 2] * a.shape[rank - 1] * b.shape[rank - 1];
  return multiplyAdds > tinyProduct ? loadKernels() : null;
}

/**
 * The Backend's linear: x·weightᵀ on the matmul kernel, with the bias added to the product in linear memory
 * before it is copied out (one pass fewer over the output than a separate add).
 */
export function wasmLinear(
  x: StridedArray,
  weight: StridedArray,
  bias: StridedArray | null,
  out: FloatArray,
): void {
  const w = transposed(weight);
  const kernels = kernelsFor(x, w);
  // The add kernel reads the bias as one contiguous row; a strided bias view is added here instead.
  const rowBias = bias && (bias.shape[0] <= 1 || bias.strides[0] === 1) ? bias : null;
  if (kernels && matmulOnKernels(kernels, x, w, out, rowBias)) {
    if (bias && !rowBias) addBias(out, bias);
    return;
  }
  portableLinear(x, weight, bias, out);
}

/**
 * The product on the wasm kernels (`own`: the calling thread's; a split product runs on the thread pool's shared
 * ones), whatever the size, plus `bias` on every row when given (float32, [N]); false (out untouched) if it is
 * not float32 or linear memory cannot grow to hold it.
 */
export function matmulOnKernels(
  own: Kernels,
  a: StridedArray,
  b: StridedArray,
  out: FloatArray,
  bias: StridedArray | null = null,
): boolean {
  const floats = (x: StridedArray | null) => x === null || x.data instanceof Float32Array;
  if (!(floats(a) && floats(b) && floats(bias) && out instanceof Float32Array)) return false;
  if (out.length === 0) return true;
  const rank = a.shape.length;
  const m = a.shape[rank - 2];
  const k = a.shape[rank - 1];
  const n = b.shape[rank - 1];
  const batch = out.length / (m * n);
  const multiplyAdds = batch * m * n * k;
  const crew = m * n * k >= splitProduct ? crewFor(multiplyAdds) : null;
  const tasks = crew && splitTasks(batch, m, n, 1 + crew.helpers);
  const threads = crew && tasks ? crew.participants : 1;
  const kernels = crew && tasks ? crew.pool.kernels : own;
  const { exports } = kernels;
  const planA = planStage(a);
  const planB = planStage(b);
  // Byte layout above heapBase: [control block (shared builds)] [one work region per thread] A B C, and with
  // threads the (a, b, c) addresses of every batch entry.
  const heapBase = exports.heapBase();
  const workAt = heapBase + (kernels.shared ? CONTROL_BYTES : 0);
  const aAt = workAt + threads * exports.workBytes();
  const bAt = aAt + align4(planA.length) * 4;
  const cAt = bAt + align4(planB.length) * 4;
  const entriesAt = cAt + out.length * 4;
  const biasAt = align4(entriesAt / 4 + (threads > 1 ? batch * 3 : 0)) * 4;
  const planBias = bias && planStage(bias);
  const scratch = reserveScratch(kernels, biasAt + (planBias ? planBias.length * 4 : 0) - heapBase);
  if (!scratch) return false;
  const { floats: heap, words } = scratch;
  const sa = stagedView(a, planA, heap, aAt / 4);
  const sb = stagedView(b, planB, heap, bAt / 4);
  const stageOperands = () => {
    stage(a, planA, heap, aAt / 4);
    stage(b, planB, heap, bAt / 4);
  };
  const [aRow, aCol] = sa.strides.slice(rank - 2);
  const [bRow, bCol] = sb.strides.slice(rank - 2);
  let c = cAt;
  let entry = entriesAt / 4;
  if (threads === 1) stageOperands();
  // Batch dims are walked as rows of length 1 over a trailing unit dim, as in js/batched-matmul.ts.
  const batchShape = [...a.shape.slice(0, rank - 2), 1];
  const strides = [
    [...sa.strides.slice(0, rank - 2), 0],
    [...sb.strides.slice(0, rank - 2), 0],
  ];
  forEachRow(batchShape, strides, [sa.offset, sb.offset], ([aStart, bStart]) => {
    if (threads > 1) {
      words[entry++] = aStart * 4;
      words[entry++] = bStart * 4;
      words[entry++] = c;
    } else {
      exports.matmul(m, n, k, aStart * 4, aRow, aCol, bStart * 4, bRow, bCol, c, n, workAt);
    }
    c += m * n * 4;
  });
  const product = [m, n, k, aRow, aCol, bRow, bCol, entriesAt, workAt];
  if (crew && tasks && !runJob(crew, product, tasks, stageOperands)) {
    // The threads failed and are off now (and their kernels may have moved to a fresh memory): recompute alone.
    return matmulOnKernels(own, a, b, out, bias);
  }
  if (bias && planBias) {
    const sBias = stage(bias, planBias, heap, biasAt / 4);
    // add (code 0) over [batch·m, n] rows in place, the bias row broadcast to each (row stride 0)
    exports.binary(0, batch * m, n, cAt, n, 1, sBias.offset * 4, 0, sBias.strides[0], cAt);
  }
  out.set(heap.subarray(cAt / 4, cAt / 4 + out.length));
  return true;
}
