/**
 * @file A deliberately naive n-d array used as the oracle for the property tests. Every array is a flat
 * row-major `number[]` plus a shape; every op walks multi-indices one element at a time. Nothing here knows
 * about strides, views, offsets or Tensorloom: clarity over speed.
 */

export interface NDArray {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

// ---- Shapes and indices ---------------------------------------------------------------------------------

export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Row-major strides of a contiguous array of `shape`. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** Multi-index of flat position `flat` in a row-major array of `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

/** Flat row-major position of multi-index `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
  return flat;
}

/** Every multi-index of `shape`, in row-major order. */
export function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const n = numel(shape);
  for (let f = 0; f < n; f++) out.push(unravel(f, shape));
  return out;
}

export function get(a: NDArray, idx: readonly number[]): number {
  return a.data[ravel(idx, a.shape)];
}

/** Builds an array of `shape` whose element at each multi-index is fn(index). */
export function fromFn(shape: readonly number[], fn: (idx: number[]) => number): NDArray {
  return { shape: [...shape], data: indices(shape).map(fn) };
}

export function array(shape: readonly number[], data: readonly number[]): NDArray {
  if (numel(shape) !== data.length) throw new Error(`reference: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data: [...data] };
}

/** Nested JS arrays (what Tensor.toArray() returns), a bare number for rank 0. */
export function toNested(a: NDArray): unknown {
  const build = (dim: number, prefix: number[]): unknown =>
    dim === a.shape.length
      ? get(a, prefix)
      : Array.from({ length: a.shape[dim] }, (_, i) => build(dim + 1, [...prefix, i]));
  return build(0, []);
}

/** Wraps a possibly negative dim; `rank` 0 behaves as rank 1 (PyTorch accepts dim 0 / -1 on scalars). */
export function wrapDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) throw new Error(`reference: dim ${dim} out of range for rank ${rank}`);
  return dim < 0 ? dim + r : dim;
}

// ---- Broadcasting -----------------------------------------------------------------------------------------

/** The NumPy broadcast of two shapes, or null when they are incompatible. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    // Dims aligned from the right; a missing dim acts as 1.
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else return null;
  }
  return out;
}

/** The element of `a` that position `idx` of the broadcast shape reads. */
function broadcastIndex(a: NDArray, idx: readonly number[]): number[] {
  const lead = idx.length - a.shape.length;
  return a.shape.map((d, i) => (d === 1 ? 0 : idx[i + lead]));
}

export function broadcastTo(a: NDArray, shape: readonly number[]): NDArray {
  return fromFn(shape, (idx) => get(a, broadcastIndex(a, idx)));
}

export function binary(a: NDArray, b: NDArray, f: (x: number, y: number) => number): NDArray {
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) throw new Error(`reference: [${a.shape}] and [${b.shape}] do not broadcast`);
  return fromFn(shape, (idx) => f(get(a, broadcastIndex(a, idx)), get(b, broadcastIndex(b, idx))));
}

export function map(a: NDArray, f: (x: number) => number): NDArray {
  return { shape: [...a.shape], data: a.data.map(f) };
}

/** Sums a broadcast result back down to `shape` (the adjoint of broadcastTo). */
export function sumTo(g: NDArray, shape: readonly number[]): NDArray {
  const out = new Array<number>(numel(shape)).fill(0);
  const target: NDArray = { shape, data: out };
  for (const idx of indices(g.shape)) out[ravel(broadcastIndex(target, idx), shape)] += get(g, idx);
  return { shape: [...shape], data: out };
}

// ---- Movement -----------------------------------------------------------------------------------------------

/** out[i_0, …] = a[i_{inv p}…]: out's dim k is a's dim perm[k]. */
export function permute(a: NDArray, perm: readonly number[]): NDArray {
  const shape = perm.map((p) => a.shape[p]);
  return fromFn(shape, (idx) => {
    const src = new Array<number>(a.shape.length);
    perm.forEach((p, k) => {
      src[p] = idx[k];
    });
    return get(a, src);
  });
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, k) => {
    inv[p] = k;
  });
  return inv;
}

export function transpose(a: NDArray, d0: number, d1: number): NDArray {
  const perm = a.shape.map((_, i) => i);
  [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
  return permute(a, perm);
}

/** Same row-major element sequence, new shape (which must have the same element count; no -1 here). */
export function reshape(a: NDArray, shape: readonly number[]): NDArray {
  if (numel(shape) !== a.data.length) throw new Error(`reference: cannot reshape [${a.shape}] to [${shape}]`);
  return { shape: [...shape], data: [...a.data] };
}

/** The positions Python's a[start:end:step] visits along a dim of length n (step >= 1). */
export function sliceIndices(
  n: number,
  start: number | null | undefined,
  end: number | null | undefined,
  step: number,
): number[] {
  if (!(step >= 1)) throw new Error('reference: step must be >= 1');
  const norm = (v: number) => {
    let i = v < 0 ? v + n : v;
    if (i < 0) i = 0;
    if (i > n) i = n;
    return i;
  };
  const s = start == null ? 0 : norm(start);
  const e = end == null ? n : norm(end);
  const out: number[] = [];
  for (let i = s; i < e; i += step) out.push(i);
  return out;
}

/** Picks positions `picks` along `dim`. */
export function take(a: NDArray, dim: number, picks: readonly number[]): NDArray {
  const shape = a.shape.map((d, i) => (i === dim ? picks.length : d));
  return fromFn(shape, (idx) => {
    const src = [...idx];
    src[dim] = picks[idx[dim]];
    return get(a, src);
  });
}

export function slice(
  a: NDArray,
  dim: number,
  start: number | null | undefined,
  end: number | null | undefined,
  step = 1,
): NDArray {
  return take(a, dim, sliceIndices(a.shape[dim], start, end, step));
}

export function narrow(a: NDArray, dim: number, start: number, length: number): NDArray {
  const s = start < 0 ? start + a.shape[dim] : start;
  return take(
    a,
    dim,
    Array.from({ length }, (_, i) => s + i),
  );
}

/** a[..., index, ...] along `dim`, with that dim removed. */
export function select(a: NDArray, dim: number, index: number): NDArray {
  const i = index < 0 ? index + a.shape[dim] : index;
  const shape = a.shape.filter((_, k) => k !== dim);
  return fromFn(shape, (idx) => get(a, [...idx.slice(0, dim), i, ...idx.slice(dim)]));
}

export function unsqueezeShape(shape: readonly number[], dim: number): number[] {
  return [...shape.slice(0, dim), 1, ...shape.slice(dim)];
}

// ---- Reductions ---------------------------------------------------------------------------------------------

/**
 * Folds the elements over `dims` (normalized, distinct) with f starting from `init`; then `finish(acc, count)`.
 * keepdim leaves the reduced dims as size 1.
 */
export function reduce(
  a: NDArray,
  dims: readonly number[],
  keepdim: boolean,
  f: (acc: number, x: number) => number,
  init: number,
  finish: (acc: number, count: number) => number = (acc) => acc,
): NDArray {
  const reduced = new Set(dims);
  const keptShape = a.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const acc = new Array<number>(numel(keptShape)).fill(init);
  for (const idx of indices(a.shape)) {
    const o = ravel(
      idx.map((v, i) => (reduced.has(i) ? 0 : v)),
      keptShape,
    );
    acc[o] = f(acc[o], get(a, idx));
  }
  const count = dims.reduce((n, d) => n * a.shape[d], 1);
  const data = acc.map((v) => finish(v, count));
  const shape = keepdim ? keptShape : a.shape.filter((_, i) => !reduced.has(i));
  return { shape, data };
}

export const sum = (a: NDArray, dims: readonly number[], keepdim: boolean) =>
  reduce(a, dims, keepdim, (s, x) => s + x, 0);
export const mean = (a: NDArray, dims: readonly number[], keepdim: boolean) =>
  reduce(
    a,
    dims,
    keepdim,
    (s, x) => s + x,
    0,
    (s, n) => s / n,
  );
export const amax = (a: NDArray, dims: readonly number[], keepdim: boolean) =>
  reduce(a, dims, keepdim, (m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY);

// ---- Joining and indexing -----------------------------------------------------------------------------------

/** Concatenation along an existing dim. */
export function cat(arrays: readonly NDArray[], dim: number): NDArray {
  const shape = [...arrays[0].shape];
  shape[dim] = arrays.reduce((n, a) => n + a.shape[dim], 0);
  return fromFn(shape, (idx) => {
    let i = idx[dim];
    for (const a of arrays) {
      if (i < a.shape[dim]) {
        const src = [...idx];
        src[dim] = i;
        return get(a, src);
      }
      i -= a.shape[dim];
    }
    throw new Error('reference: cat index past the end');
  });
}

/** Joins equally shaped arrays along a new dim `dim`. */
export function stack(arrays: readonly NDArray[], dim: number): NDArray {
  const shape = unsqueezeShape(arrays[0].shape, dim);
  shape[dim] = arrays.length;
  return fromFn(shape, (idx) => get(arrays[idx[dim]], [...idx.slice(0, dim), ...idx.slice(dim + 1)]));
}

/** PyTorch's gather: out[…i…] = a[… index[…i…] …] with the index value replacing coordinate `dim`. */
export function gather(a: NDArray, dim: number, index: NDArray): NDArray {
  return fromFn(index.shape, (idx) => {
    if (a.shape.length === 0) return a.data[0];
    const src = [...idx];
    src[dim] = get(index, idx);
    return get(a, src);
  });
}

/** The piece sizes torch.split(x, size) produces along a dim of length n. */
export function splitSizes(n: number, size: number): number[] {
  if (n === 0) return [0];
  const out: number[] = [];
  let left = n;
  while (left > 0) {
    out.push(Math.min(size, left));
    left -= size;
  }
  return out;
}

/**
 * The piece sizes torch.chunk(x, chunks) produces along a dim of length n: pieces of ceil(n / chunks). An empty
 * dim is the exception: ATen (TensorShape.cpp, chunk) returns `chunks` empty pieces there, not one.
 */
export function chunkSizes(n: number, chunks: number): number[] {
  if (n === 0) return new Array<number>(chunks).fill(0);
  return splitSizes(n, Math.ceil(n / chunks));
}
