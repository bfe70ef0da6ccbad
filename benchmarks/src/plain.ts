// The anchors: what you would write by hand over Float32Array, no blocking, no SIMD, no tricks.
// Each kernel allocates its output, like a tensor op returning a new tensor does (the elementwise
// ones can also write into a given `out`, to show what allocation costs).
// Matmul loops use the cache-friendly order for each layout (all row-major, square n×n).

/** C = A·B, i-k-j order (inner loop streams rows of B and C). */
export function matmulAB(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** C = A·Bᵀ, i-j-k order (inner loop is a dot product of two contiguous rows). */
export function matmulABt(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const ai = i * n;
    for (let j = 0; j < n; j++) {
      const bj = j * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += a[ai + k] * b[bj + k];
      c[ai + j] = s;
    }
  }
  return c;
}

/** C = Aᵀ·B, k-i-j order (inner loop streams rows of B and C). */
export function matmulAtB(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let k = 0; k < n; k++) {
    const ak = k * n;
    for (let i = 0; i < n; i++) {
      const aki = a[ak + i];
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j] += aki * b[ak + j];
    }
  }
  return c;
}

/** out[i] = a[i] + b[i] */
export function add(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array = new Float32Array(a.length),
): Float32Array {
  const n = a.length;
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
  return out;
}

/** out[r, j] = a[r, j] + b[j] for a of shape [rows, cols], b of shape [cols]. */
export function addRow(
  a: Float32Array,
  b: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array = new Float32Array(rows * cols),
): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = a[o + j] + b[j];
  }
  return out;
}

/** Numerically stable softmax over the last dim of a [rows, cols] matrix. */
export function softmaxRows(
  x: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array = new Float32Array(rows * cols),
): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j] - m);
      out[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < cols; j++) out[o + j] *= inv;
  }
  return out;
}
