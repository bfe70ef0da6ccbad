/**
 * @file The LSTM gates on the WebAssembly SIMD kernels (assembly/lstm-gates.ts): the Backend's lstmCellGates and
 * lstmCellGatesBackward for float32 rows whose columns are contiguous and whose hidden size is a multiple of 4.
 * Operands are copied into linear memory and the results out, as for matmul; at [32, 4·256] the copies cost a
 * few percent of the kernels. The forward one runs about ten times faster than the portable one (its exp and tanh
 * are vector polynomials, not Math calls), the backward one several times. Anything else takes the portable
 * kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { StridedArray } from '../backend.js';
import {
  lstmCellGates as portableLstmCellGates,
  lstmCellGatesBackward as portableLstmCellGatesBackward,
} from '../js/rnn-gates.js';
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

/** The Backend's lstmCellGatesBackward (see backend.ts). */
export function wasmLstmCellGatesBackward(
  dhc: StridedArray,
  saved: FloatArray,
  cPrev: StridedArray,
  dGates: FloatArray | null,
  dcPrev: FloatArray | null,
): void {
  const [batch, hidden] = cPrev.shape;
  const outputs = [dGates, dcPrev].filter((x) => x !== null);
  const kernels =
    hidden % 4 === 0 &&
    fits(dhc) &&
    fits(cPrev) &&
    saved instanceof Float32Array &&
    outputs.every((x) => x instanceof Float32Array)
      ? loadKernels()
      : null;
  if (!kernels || batch === 0 || hidden === 0) {
    portableLstmCellGatesBackward(dhc, saved, cPrev, dGates, dcPrev);
    return;
  }
  const { exports } = kernels;
  const planDhc = planStage(dhc);
  const planCPrev = planStage(cPrev);
  // Above heapBase (and the threads' control block): dhc, saved, cPrev, dGates, dcPrev.
  const heapBase = exports.heapBase();
  const dhcAt = heapBase + (kernels.shared ? CONTROL_BYTES : 0);
  const savedAt = dhcAt + align4(planDhc.length) * 4;
  const cPrevAt = savedAt + align4(saved.length) * 4;
  const dGatesAt = cPrevAt + align4(planCPrev.length) * 4;
  const dcPrevAt = dGatesAt + (dGates ? dGates.length * 4 : 0);
  const scratch = reserveScratch(kernels, dcPrevAt + (dcPrev ? dcPrev.length * 4 : 0) - heapBase);
  if (!scratch) {
    portableLstmCellGatesBackward(dhc, saved, cPrev, dGates, dcPrev);
    return;
  }
  const { floats } = scratch;
  const d = stage(dhc, planDhc, floats, dhcAt / 4);
  floats.set(saved, savedAt / 4);
  const c = stage(cPrev, planCPrev, floats, cPrevAt / 4);
  exports.lstmCellGatesBackward(
    batch,
    hidden,
    d.offset * 4,
    d.strides[0],
    savedAt,
    c.offset * 4,
    c.strides[0],
    dGates ? dGatesAt : 0,
    dcPrev ? dcPrevAt : 0,
  );
  if (dGates) dGates.set(floats.subarray(dGatesAt / 4, dGatesAt / 4 + dGates.length));
  if (dcPrev) dcPrev.set(floats.subarray(dcPrevAt / 4, dcPrevAt / 4 + dcPrev.length));
}
