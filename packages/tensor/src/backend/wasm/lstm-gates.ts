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
import { contiguousView, hasFloatRows, place, readFloats } from './stage.js';

/** The Backend's lstmCellGates (see backend.ts). */
export function wasmLstmCellGates(
  gates: StridedArray,
  cPrev: StridedArray,
  out: FloatArray,
  saved: FloatArray | null,
): void {
  const [batch, hidden] = cPrev.shape;
  const kernels = hidden % 4 === 0 && hasFloatRows(gates) && hasFloatRows(cPrev) ? loadKernels() : null;
  const floatOutputs = out instanceof Float32Array && (saved === null || saved instanceof Float32Array);
  // Scratch: gates, cPrev, then out, then saved.
  const placed =
    kernels && floatOutputs ? place(kernels, [gates, cPrev], out.length * 4, (saved?.length ?? 0) * 4) : null;
  if (!kernels || !placed) {
    portableLstmCellGates(gates, cPrev, out, saved);
    return;
  }
  const [g, c] = placed.operands;
  kernels.exports.lstmCellGates(
    batch,
    hidden,
    g.at,
    g.strides[0],
    c.at,
    c.strides[0],
    placed.out,
    saved ? placed.extra : 0,
  );
  readFloats(placed, placed.out, out);
  if (saved) readFloats(placed, placed.extra, saved);
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
  const floats32 = [saved, dGates, dcPrev].every((x) => x === null || x instanceof Float32Array);
  const kernels =
    hidden % 4 === 0 && hasFloatRows(dhc) && hasFloatRows(cPrev) && floats32 && batch > 0
      ? loadKernels()
      : null;
  // Scratch: d[h | c], saved, cPrev, then dGates, then dcPrev.
  const placed = kernels
    ? place(
        kernels,
        [dhc, contiguousView(saved, [batch, 5 * hidden]), cPrev],
        (dGates?.length ?? 0) * 4,
        (dcPrev?.length ?? 0) * 4,
      )
    : null;
  if (!kernels || !placed) {
    portableLstmCellGatesBackward(dhc, saved, cPrev, dGates, dcPrev);
    return;
  }
  const [d, s, c] = placed.operands;
  kernels.exports.lstmCellGatesBackward(
    batch,
    hidden,
    d.at,
    d.strides[0],
    s.at,
    c.at,
    c.strides[0],
    dGates ? placed.out : 0,
    dcPrev ? placed.extra : 0,
  );
  if (dGates) readFloats(placed, placed.out, dGates);
  if (dcPrev) readFloats(placed, placed.extra, dcPrev);
}
