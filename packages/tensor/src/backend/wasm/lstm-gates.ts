/**
 * @file The LSTM gates on the WebAssembly SIMD kernel (assembly/lstm-gates.ts): the Backend's lstmCellGates for
 * float32 rows whose columns are contiguous and whose hidden size is a multiple of 4. Operands are copied into
 * linear memory and the results out, as for matmul; at [32, 4·256] the copies cost a few percent of the kernel,
 * which runs about ten times faster than the portable one (its exp and tanh are vector polynomials, not Math
 * calls). Anything else takes the portable kernel.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import { lstmCellGates as portableLstmCellGates } from '../js/rnn-gates.js';
import { loadKernels } from './loader.js';
import { reserveScratch } from './scratch.js';
import { planStage, stage } from './stage.js';
import { CONTROL_BYTES } from './threads/control.js';

/** Rounds an element count up to a multiple of 4, so each staged operand starts 16-byte aligned. */
const align4 = (elements: number) => (elements + 3) & ~3;

const fits = (x: StridedArray): boolean => x.data instanceof Float32Array && x.strides[1] === 1;

/** The Backend's lstmCellGates (see backend.ts). */
export function wasmLstmCellGates(
  gates: StridedArray,
  cPrev: StridedArray,
  out: FloatArray,
  saved: FloatArray | null,
): void {
  const [batch, hidden] = cPrev.shape;
  const kernels = hidden % 4 === 0 && fits(gates) && fits(cPrev) ? loadKernels() : null;
  if (!kernels || !(out instanceof Float32Array) || !(saved === null || saved instanceof Float32Array)) {
    portableLstmCellGates(gates, cPrev, out, saved);
    return;
  }
  const { exports } = kernels;
  const planGates = planStage(gates);
  const planCPrev = planStage(cPrev);
  // Above heapBase (and the threads' control block): gates, cPrev, out, saved.
  const heapBase = exports.heapBase();
  const gatesAt = heapBase + (kernels.shared ? CONTROL_BYTES : 0);
  const cPrevAt = gatesAt + align4(planGates.length) * 4;
  const outAt = cPrevAt + align4(planCPrev.length) * 4;
  const savedAt = outAt + out.length * 4;
  const scratch = reserveScratch(kernels, savedAt + (saved ? saved.length * 4 : 0) - heapBase);
  if (!scratch) {
    portableLstmCellGates(gates, cPrev, out, saved);
    return;
  }
  const { floats } = scratch;
  const g = stage(gates, planGates, floats, gatesAt / 4);
  const c = stage(cPrev, planCPrev, floats, cPrevAt / 4);
  exports.lstmCellGates(
    batch,
    hidden,
    g.offset * 4,
    g.strides[0],
    c.offset * 4,
    c.strides[0],
    outAt,
    saved ? savedAt : 0,
  );
  out.set(floats.subarray(outAt / 4, outAt / 4 + out.length));
  if (saved) saved.set(floats.subarray(savedAt / 4, savedAt / 4 + saved.length));
}
