/**
 * @file Elementwise ops, sums and softmax on the WebAssembly SIMD kernels (assembly/elementwise.ts), for float32
 * operands whose merged dims end in a [rows, columns] block that each operand walks contiguously along the row
 * or broadcasts along it (one kernel call per block). That covers same-shape operands, a bias added to every
 * row, a scalar, attention's permuted head dims, and the last-dim softmax and sums that layer norm, attention
 * and losses run.
 *
 * As for matmul, tensors keep their JS-owned storage: the spans the operands touch are copied into linear
 * memory, the kernel writes a contiguous result, and one `set` copies it out. The portable loops spend 3–9 ns
 * per element on a training step's tensors (their element accesses see float32, float64 and byte arrays, so
 * V8 cannot specialise them, and a branchy ReLU or comparison mispredicts on random signs); with the copies
 * the kernels spend under 1 ns. Other dtypes, other layouts, ops without a kernel (log, erf, pow, …) and
 * tensors below MIN_ELEMENTS take the portable kernels.
 */

import type { TypedArray } from '../../dtype.js';
import { sizeOf } from '../../shape.js';
import type { BinaryOp, ReduceOp, StridedArray, UnaryOp } from '../backend.js';
import { binary, unary, where } from '../js/elementwise.js';
import { coalesce } from '../js/iterate.js';
import { reduce } from '../js/reduce.js';
import { softmax, softmaxBackward } from '../js/softmax.js';
import { type Kernels, loadKernels } from './loader.js';
import { type Placed, place, readFloats, type Staged } from './stage.js';

/** The kernels' op codes (assembly/elementwise.ts). */
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  abs: 1,
  sqrt: 2,
  relu: 3,
  exp: 4,
  tanh: 5,
  sigmoid: 6,
};
export const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  eq: 6,
  ne: 7,
  lt: 8,
  le: 9,
  gt: 10,
  ge: 11,
  reluBackward: 12,
};

/**
 * Below this many elements the portable loop wins: the wasm path costs a fixed ~1 µs (merging dims, planning
 * the copies, the call), about what the portable loop spends on 256 elements.
 */
const MIN_ELEMENTS = 256;

/**
 * The operands' common iteration space with adjacent dims merged: blocks of [rows, cols] (the last two dims)
 * over the `outer` dims, each operand walked along a row contiguously (column stride 1) or broadcast (0).
 */
interface Blocks {
  outer: number[];
  rows: number;
  cols: number;
  views: StridedArray[];
}

/** A block this small is not worth a kernel call of its own. */
const MIN_BLOCK = 32;

/** The operands as Blocks, or null when an operand's last merged dim is strided or the blocks are tiny. */
export function toBlocks(shape: readonly number[], operands: readonly StridedArray[]): Blocks | null {
  const merged = coalesce(
    shape,
    operands.map((x) => x.strides),
  );
  const rank = merged.shape.length;
  if (merged.strides.some((strides) => strides[rank - 1] !== 0 && strides[rank - 1] !== 1)) return null;
  const rows = rank >= 2 ? merged.shape[rank - 2] : 1;
  const cols = merged.shape[rank - 1];
  if (rank > 2 && rows * cols < MIN_BLOCK) return null;
  const views = operands.map((x, k) => ({
    data: x.data,
    shape: merged.shape,
    strides: merged.strides[k],
    offset: x.offset,
  }));
  return { outer: merged.shape.slice(0, -2), rows, cols, views };
}

/** A block's operands for the kernels: byte address, row stride, column stride. */
type BlockOperand = [at: number, row: number, col: number];

/**
 * Calls `kernel` once per block in row-major order, with each operand's block and the block's output address
 * (`outSize` bytes per element).
 */
function forEachBlock(
  blocks: Blocks,
  placed: Placed,
  outSize: number,
  kernel: (operands: BlockOperand[], out: number) => void,
): void {
  const { outer, rows, cols } = blocks;
  const operand = (x: Staged, base: number): BlockOperand => {
    const rank = x.strides.length;
    return [x.at + base * x.size, rank >= 2 ? x.strides[rank - 2] : 0, x.strides[rank - 1]];
  };
  const blockBytes = rows * cols * outSize;
  const index = outer.map(() => 0);
  const bases = placed.operands.map(() => 0);
  for (let out = placed.out; ; out += blockBytes) {
    kernel(
      placed.operands.map((x, k) => operand(x, bases[k])),
      out,
    );
    // Odometer over the outer dims.
    let d = outer.length - 1;
    for (; d >= 0; d--) {
      index[d]++;
      placed.operands.forEach((x, k) => {
        bases[k] += x.strides[d];
      });
      if (index[d] < outer[d]) break;
      placed.operands.forEach((x, k) => {
        bases[k] -= x.strides[d] * outer[d];
      });
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

/** Kernels for this many float32 elements, or null (too few, or no WebAssembly SIMD here). */
function kernelsFor(elements: number): Kernels | null {
  return elements >= MIN_ELEMENTS ? loadKernels() : null;
}

const isFloat32 = (x: StridedArray) => x.data instanceof Float32Array;

/** The Backend's unary (see backend.ts). */
export function wasmUnary(op: UnaryOp, x: StridedArray, out: TypedArray): void {
  const code = UNARY_CODES[op];
  const kernels =
    code !== undefined && isFloat32(x) && out instanceof Float32Array ? kernelsFor(out.length) : null;
  const blocks = kernels ? toBlocks(x.shape, [x]) : null;
  const placed = kernels && blocks ? place(kernels, blocks.views, out.length * 4) : null;
  if (!kernels || !blocks || !placed || code === undefined) {
    unary(op, x, out);
    return;
  }
  const { rows, cols } = blocks;
  forEachBlock(blocks, placed, 4, ([a], at) => kernels.exports.unary(code, rows, cols, ...a, at));
  readFloats(placed, placed.out, out);
}

/** The Backend's binary (see backend.ts): float32 operands, a float32 result or a boolean one (comparisons). */
export function wasmBinary(op: BinaryOp, a: StridedArray, b: StridedArray, out: TypedArray): void {
  const code = BINARY_CODES[op];
  const outSize = out instanceof Uint8Array ? 1 : 4;
  const fits =
    code !== undefined && isFloat32(a) && isFloat32(b) && (outSize === 1 || out instanceof Float32Array);
  const kernels = fits ? kernelsFor(out.length) : null;
  const blocks = kernels ? toBlocks(a.shape, [a, b]) : null;
  const placed = kernels && blocks ? place(kernels, blocks.views, out.length * outSize) : null;
  if (!kernels || !blocks || !placed || code === undefined) {
    binary(op, a, b, out);
    return;
  }
  const { rows, cols } = blocks;
  forEachBlock(blocks, placed, outSize, ([x, y], at) =>
    kernels.exports.binary(code, rows, cols, ...x, ...y, at),
  );
  if (outSize === 1) out.set(placed.scratch.bytes.subarray(placed.out, placed.out + out.length));
  else readFloats(placed, placed.out, out);
}

/** The Backend's where (see backend.ts): a boolean condition choosing between float32 operands. */
export function wasmWhere(cond: StridedArray, a: StridedArray, b: StridedArray, out: TypedArray): void {
  const fits = cond.data instanceof Uint8Array && isFloat32(a) && isFloat32(b) && out instanceof Float32Array;
  const kernels = fits ? kernelsFor(out.length) : null;
  const blocks = kernels ? toBlocks(cond.shape, [cond, a, b]) : null;
  const placed = kernels && blocks ? place(kernels, blocks.views, out.length * 4) : null;
  if (!kernels || !blocks || !placed) {
    where(cond, a, b, out);
    return;
  }
  const { rows, cols } = blocks;
  forEachBlock(blocks, placed, 4, ([m, x, y], at) => kernels.exports.where(rows, cols, ...m, ...x, ...y, at));
  readFloats(placed, placed.out, out);
}

/** The Backend's reduce (see backend.ts): float32 sums of contiguous rows or of rows into a contiguous row. */
export function wasmReduce(
  op: ReduceOp,
  x: StridedArray,
  reduceRank: number,
  out: TypedArray,
  indices?: Int32Array,
): void {
  const fits = op === 'sum' && !indices && isFloat32(x) && out instanceof Float32Array;
  const kernels = fits ? kernelsFor(sizeOf(x.shape)) : null;
  if (!kernels || !sumOnKernels(kernels, x, reduceRank, out as Float32Array))
    reduce(op, x, reduceRank, out, indices);
}

/**
 * Sums x's last `reduceRank` dims when the kept dims and the reduced dims each merge into one: contiguous
 * reduced runs (a row sum: layer norm's mean, a loss) or contiguous kept runs (a column sum: a bias gradient).
 * False when the layout is neither.
 */
function sumOnKernels(kernels: Kernels, x: StridedArray, reduceRank: number, out: Float32Array): boolean {
  const keptRank = x.shape.length - reduceRank;
  const kept = coalesce(x.shape.slice(0, keptRank), [x.strides.slice(0, keptRank)]);
  const reduced = coalesce(x.shape.slice(keptRank), [x.strides.slice(keptRank)]);
  if (kept.shape[0] === 1 && reduced.shape.length === 2 && reduced.strides[0][1] === 1) {
    // Everything, laid out as contiguous rows spaced apart (a narrowed or sliced view, such as the h half of an
    // LSTM's [T, B, 2H] states under a loss): each row on the kernel, then the row sums here.
    const [rows, columns] = reduced.shape;
    const rowSums = new Float32Array(rows);
    if (!sumRows(kernels, x, rows, columns, reduced.strides[0][0], rowSums)) return false;
    let total = 0;
    for (const sum of rowSums) total += sum;
    out[0] = total;
    return true;
  }
  if (kept.shape.length !== 1 || reduced.shape.length !== 1) return false;
  const keptStride = kept.strides[0][0];
  const reducedStride = reduced.strides[0][0];
  if (reducedStride === 1 || reduced.shape[0] === 1) {
    return sumRows(kernels, x, kept.shape[0], reduced.shape[0], keptStride, out);
  }
  if (keptStride !== 1) return false;
  const view = {
    data: x.data,
    shape: [reduced.shape[0], kept.shape[0]],
    strides: [reducedStride, 1],
    offset: x.offset,
  };
  const placed = place(kernels, [view], out.length * 4, out.length * 8);
  if (!placed) return false;
  const [a] = placed.operands;
  kernels.exports.sumColumns(view.shape[0], view.shape[1], a.at, a.strides[0], placed.out, placed.extra);
  readFloats(placed, placed.out, out);
  return true;
}

/** `rows` contiguous runs of `columns` elements from x's offset, `rowStride` apart, each summed into `into`. */
function sumRows(
  kernels: Kernels,
  x: StridedArray,
  rows: number,
  columns: number,
  rowStride: number,
  into: Float32Array,
): boolean {
  const view = { data: x.data, shape: [rows, columns], strides: [rowStride, 1], offset: x.offset };
  const placed = place(kernels, [view], rows * 4);
  if (!placed) return false;
  const [a] = placed.operands;
  kernels.exports.sumRows(rows, columns, a.at, a.strides[0], placed.out);
  readFloats(placed, placed.out, into);
  return true;
}

/** Whether x's elements are laid out row-major from its offset (size-1 dims may have any stride). */
function isContiguous(x: StridedArray): boolean {
  let expected = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.shape[d] !== 1 && x.strides[d] !== expected) return false;
    expected *= x.shape[d];
  }
  return true;
}

/** Operands placed for a row kernel: their [rows, cols] views staged in linear memory, the result to follow. */
interface PlacedRows {
  kernels: Kernels;
  placed: Placed;
  rows: number;
  cols: number;
}

/**
 * Stages same-shape float32 operands for a kernel over rows of their last dim: each must have contiguous rows, and
 * their leading dims must merge into one (row strides may differ and be 0); `out` is contiguous float32 of that
 * shape. Null where they do not fit, the operands are too small, or memory cannot grow: the portable kernel runs.
 */
function placeRows(operands: readonly StridedArray[], out: StridedArray): PlacedRows | null {
  const shape = operands[0].shape;
  const rank = shape.length;
  const fits =
    rank > 0 &&
    operands.every((x) => isFloat32(x) && x.strides[rank - 1] === 1) &&
    out.data instanceof Float32Array &&
    isContiguous(out);
  const kernels = fits ? kernelsFor(sizeOf(shape)) : null;
  if (!kernels) return null;
  const leading = coalesce(
    shape.slice(0, -1),
    operands.map((x) => x.strides.slice(0, -1)),
  );
  if (leading.shape.length !== 1) return null;
  const rows = leading.shape[0];
  const cols = shape[rank - 1];
  const views = operands.map((x, k) => ({
    data: x.data,
    shape: [rows, cols],
    strides: [leading.strides[k][0], 1],
    offset: x.offset,
  }));
  const placed = place(kernels, views, rows * cols * 4);
  return placed && { kernels, placed, rows, cols };
}

/** Copies a row kernel's contiguous result out of linear memory into `out` (contiguous, from its offset). */
function readRows({ placed, rows, cols }: PlacedRows, out: StridedArray): void {
  out.data.set(placed.scratch.floats.subarray(placed.out / 4, placed.out / 4 + rows * cols), out.offset);
}

/** The Backend's softmax (see backend.ts): float32 rows contiguous along the last dim into a contiguous out. */
export function wasmSoftmax(x: StridedArray, out: StridedArray, log: boolean): void {
  const p = placeRows([x], out);
  if (!p) {
    softmax(x, out, log);
    return;
  }
  const [a] = p.placed.operands;
  p.kernels.exports.softmax(p.rows, p.cols, a.at, a.strides[0], p.placed.out, log);
  readRows(p, out);
}

/**
 * The Backend's softmaxBackward (see backend.ts): float32 y and g with contiguous rows along the last dim (their
 * leading dims merging into one) into a contiguous out; other layouts and dtypes take the portable kernel.
 */
export function wasmSoftmaxBackward(y: StridedArray, g: StridedArray, out: StridedArray, log: boolean): void {
  const p = placeRows([y, g], out);
  if (!p) {
    softmaxBackward(y, g, out, log);
    return;
  }
  const [a, b] = p.placed.operands;
  p.kernels.exports.softmaxBackward(
    p.rows,
    p.cols,
    a.at,
    a.strides[0],
    b.at,
    b.strides[0],
    p.placed.out,
    log,
  );
  readRows(p, out);
}
