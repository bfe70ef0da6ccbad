/** @file Reductions over trailing dims: sum, max and min, the latter two with the chosen index. */
import type { TypedArray } from '../../dtype.js';
import type { ReduceOp, StridedArray } from '../backend.js';
import { coalesce, forEachRow } from './iterate.js';

/**
 * x's last `reduceRank` dims are reduced; out has one slot per leading index. Walks x in row-major order, so
 * element number e belongs to out[floor(e / groupSize)].
 */
export function reduce(
  op: ReduceOp,
  x: StridedArray,
  reduceRank: number,
  out: TypedArray,
  indices?: Int32Array,
): void {
  const rank = x.shape.length;
  let groupSize = 1;
  for (let d = rank - reduceRank; d < rank; d++) groupSize *= x.shape[d];
  const groups = out.length;
  if (groupSize === 0) {
    // Empty reductions: sum is 0; max/min have no identity (PyTorch errors; the op layer checks first).
    out.fill(0);
    return;
  }
  if (
    op === 'sum' &&
    !indices &&
    (sumBroadcast(x, reduceRank, out) || sumAll(x, out) || sumRows(x, reduceRank, out))
  )
    return;
  if (op !== 'sum' && extremeOfRuns(op, x, reduceRank, out, indices)) return;
  // A scalar or vector walk is enough: give the iteration at least one dim.
  const shape = rank === 0 ? [1] : x.shape;
  const strides = rank === 0 ? [0] : x.strides;
  const data = x.data;
  let e = 0; // element counter within the current group
  let g = 0; // current group
  let acc = op === 'sum' ? 0 : Number.NaN;
  let best = 0;
  forEachRow(shape, [strides], [x.offset], (b, n) => {
    const s = strides[strides.length - 1];
    let i = b[0];
    let ee = e;
    let gg = g;
    let a = acc;
    let bi = best;
    for (let k = 0; k < n; k++, i += s) {
      const v = data[i];
      if (op === 'sum') a += v;
      else if (ee === 0) {
        a = v;
        bi = 0;
      } else if (a === a && (v !== v || (op === 'max' ? v > a : v < a))) {
        // A NaN wins and then sticks, as in PyTorch; ties keep the first index.
        a = v;
        bi = ee;
      }
      if (++ee === groupSize) {
        out[gg] = a;
        if (indices) indices[gg] = bi;
        gg++;
        ee = 0;
        a = op === 'sum' ? 0 : Number.NaN;
        bi = 0;
      }
    }
    e = ee;
    g = gg;
    acc = a;
    best = bi;
  });
  if (g !== groups) throw new Error(`reduce: internal error (filled ${g} of ${groups} outputs)`);
}

/**
 * A float32 sum over dims the input is only broadcast along (stride 0, as in the gradient of a sum): each
 * output is its one value times the count. That is exactly the float64 running sum the general walk computes
 * (k copies of a float32 value need at most 24 + 29 significant bits for k < 2²⁹), only without the walk.
 * False for anything else.
 */
function sumBroadcast(x: StridedArray, reduceRank: number, out: TypedArray): boolean {
  const rank = x.shape.length;
  const keptRank = rank - reduceRank;
  if (reduceRank === 0 || !(x.data instanceof Float32Array)) return false;
  let count = 1;
  for (let d = keptRank; d < rank; d++) {
    if (x.strides[d] !== 0 && x.shape[d] !== 1) return false;
    count *= x.shape[d];
  }
  if (count >= 2 ** 29) return false;
  const kept = coalesce(x.shape.slice(0, keptRank), [x.strides.slice(0, keptRank)]);
  const data = x.data;
  let g = 0;
  forEachRow(kept.shape, kept.strides, [x.offset], (b, n) => {
    const s = kept.strides[0][kept.shape.length - 1];
    // + 0: the running sum starts at +0, so a −0 input sums to +0.
    for (let k = 0, i = b[0]; k < n; k++, i += s) out[g++] = data[i] * count + 0;
  });
  return true;
}

/**
 * A sum of every element (a loss): one tight loop per coalesced row, without the general walk's per-element
 * group bookkeeping. False unless there is a single output.
 */
function sumAll(x: StridedArray, out: TypedArray): boolean {
  if (out.length !== 1 || x.shape.length === 0) return false;
  const { shape, strides } = coalesce(x.shape, [x.strides]);
  const data = x.data;
  let total = 0;
  forEachRow(shape, strides, [x.offset], (b, n) => {
    const s = strides[0][shape.length - 1];
    let acc = 0;
    for (let k = 0, i = b[0]; k < n; k++, i += s) acc += data[i];
    total += acc;
  });
  out[0] = total;
  return true;
}

/**
 * Sums over dims that lie outside the kept ones in memory, when the kept elements of each reduced index are one
 * contiguous run (a bias gradient: [N, D] summed over N): adds whole rows into float64 accumulators instead of
 * walking each output's elements a row apart, which misses the cache on every read. False when the layout
 * does not fit (the general walk then runs).
 */
function sumRows(x: StridedArray, reduceRank: number, out: TypedArray): boolean {
  const rank = x.shape.length;
  const keptRank = rank - reduceRank;
  if (keptRank === 0 || reduceRank === 0) return false;
  const kept = coalesce(x.shape.slice(0, keptRank), [x.strides.slice(0, keptRank)]);
  if (kept.shape.length !== 1 || kept.strides[0][0] !== 1) return false;
  const width = kept.shape[0];
  const reduced = coalesce(x.shape.slice(keptRank), [x.strides.slice(keptRank)]);
  const acc = new Float64Array(width);
  const data = x.data;
  forEachRow(reduced.shape, reduced.strides, [x.offset], (b, n) => {
    const s = reduced.strides[0][reduced.shape.length - 1];
    for (let k = 0, row = b[0]; k < n; k++, row += s) {
      for (let j = 0; j < width; j++) acc[j] += data[row + j];
    }
  });
  for (let j = 0; j < width; j++) out[j] = acc[j];
  return true;
}

/**
 * max or min (and where it is) when each output reduces one strided run and the outputs follow one stride (an
 * argmax over a vocabulary, attention's row maxima): a tight loop per run instead of the general walk's
 * per-element group bookkeeping, which cost ≈ 11 ns per element on [64, 4, 8, 8] scores against ≈ 1. Same
 * semantics: a NaN wins and sticks, ties keep the first index. False when the layout does not fit.
 */
function extremeOfRuns(
  op: 'max' | 'min',
  x: StridedArray,
  reduceRank: number,
  out: TypedArray,
  indices?: Int32Array,
): boolean {
  const rank = x.shape.length;
  const keptRank = rank - reduceRank;
  if (reduceRank === 0) return false;
  const reduced = coalesce(x.shape.slice(keptRank), [x.strides.slice(keptRank)]);
  const kept = coalesce(x.shape.slice(0, keptRank), [x.strides.slice(0, keptRank)]);
  if (reduced.shape.length !== 1 || kept.shape.length !== 1) return false;
  const runs = out.length;
  const length = reduced.shape[0];
  const step = reduced.strides[0][0];
  const gap = kept.strides[0][0];
  const data = x.data;
  const isMax = op === 'max';
  for (let g = 0, start = x.offset; g < runs; g++, start += gap) {
    let best = data[start];
    let at = 0;
    for (let k = 1, i = start + step; k < length && best === best; k++, i += step) {
      const v = data[i];
      if (v !== v || (isMax ? v > best : v < best)) {
        best = v;
        at = k;
      }
    }
    out[g] = best;
    if (indices) indices[g] = at;
  }
  return true;
}
