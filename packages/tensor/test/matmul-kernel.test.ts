import { describe, expect, it } from 'vitest';
import { type FloatArray, type MatrixOperand, matmulKernel } from '../src/backend/js/matmul.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
/** How an operand is laid out in its buffer: row-major, column-major (a transposed view), or expanded. */
type Layout = 'row' | 'col' | 'padded' | 'broadcastRow' | 'broadcastCol';

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** A rows×cols operand stored at a nonzero offset in a larger buffer of type T, filled with random values. */
function makeOperand(
  T: Ctor,
  rows: number,
  cols: number,
  layout: Layout,
  offset: number,
  rand: () => number,
): MatrixOperand {
  const strides: Record<Layout, [number, number]> = {
    row: [cols, 1],
    col: [1, rows],
    padded: [cols + 3, 1], // a sub-matrix view: rows are further apart than cols
    broadcastRow: [0, 1], // every row is the same (an expanded view)
    broadcastCol: [1, 0],
  };
  const [rowStride, colStride] = strides[layout];
  const span = (rows - 1) * rowStride + (cols - 1) * colStride + 1;
  const data = new T(offset + Math.max(span, 0) + 5);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  return { data, offset, rowStride, colStride };
}

const at = (x: MatrixOperand, i: number, j: number) => x.data[x.offset + i * x.rowStride + j * x.colStride];

interface Case {
  m: number;
  n: number;
  k: number;
  layoutA?: Layout;
  layoutB?: Layout;
  offsetA?: number;
  offsetB?: number;
  outOffset?: number;
  seed?: number;
}

/**
 * Runs the kernel and compares with a naive double-precision loop. The error bound is the standard one for a
 * length-k sum (γ ≈ k·u relative to Σ|a·b|, u the unit roundoff of the output type), doubled for slack:
 * tight enough that any indexing mistake fails, loose enough for any summation order.
 */
function check(T: Ctor, c: Case): void {
  const { m, n, k, layoutA = 'row', layoutB = 'row', offsetA = 0, offsetB = 0, outOffset = 0, seed = 1 } = c;
  const rand = rng(seed * 7919 + m * 131 + n * 17 + k);
  const a = makeOperand(T, m, k, layoutA, offsetA, rand);
  const b = makeOperand(T, k, n, layoutB, offsetB, rand);
  const tail = 4;
  const out: FloatArray = new T(outOffset + m * n + tail);
  out.fill(12345, 0, outOffset);
  out.fill(Number.NaN, outOffset, outOffset + m * n); // must be overwritten, not accumulated into
  out.fill(-6789, outOffset + m * n);

  matmulKernel(m, n, k, a, b, out, outOffset);

  const u = T === Float32Array ? 2 ** -24 : 2 ** -53;
  let worst = 0;
  let where = '';
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const prod = at(a, i, p) * at(b, p, j);
        sum += prod;
        abs += Math.abs(prod);
      }
      const got = out[outOffset + i * n + j];
      const tol = 2 * (k + 2) * u * abs + Number.MIN_VALUE;
      const ratio = Number.isNaN(got) ? Number.POSITIVE_INFINITY : Math.abs(got - sum) / tol;
      if (ratio > worst) {
        worst = ratio;
        where = `out(${i}, ${j}) = ${got}, expected ${sum} ± ${tol}`;
      }
    }
  }
  expect(worst <= 1, `${T.name} ${JSON.stringify(c)}: ${where}`).toBe(true);
  for (let i = 0; i < outOffset; i++) expect(out[i]).toBe(12345);
  for (let i = outOffset + m * n; i < out.length; i++) expect(out[i]).toBe(-6789);
}

const TYPES: [string, Ctor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];

describe.each(TYPES)('matmulKernel (%s)', (_name, T) => {
  it('multiplies tiny and small matrices, including size 1', () => {
    for (const m of [1, 2, 3, 5])
      for (const n of [1, 2, 4, 7]) for (const k of [1, 3, 8]) check(T, { m, n, k });
    check(T, { m: 16, n: 16, k: 16 });
    check(T, { m: 32, n: 32, k: 32 });
    check(T, { m: 33, n: 31, k: 32 });
  });

  it('handles m, n or k = 0 (k = 0 gives zeros)', () => {
    check(T, { m: 0, n: 5, k: 3, outOffset: 2 });
    check(T, { m: 5, n: 0, k: 3, outOffset: 2 });
    check(T, { m: 0, n: 0, k: 0 });
    check(T, { m: 4, n: 6, k: 0, outOffset: 3 });
    check(T, { m: 70, n: 90, k: 0 });
  });

  it('handles odd sizes and sizes straddling the block boundaries', () => {
    for (const s of [63, 64, 65]) check(T, { m: s, n: s, k: s });
    check(T, { m: 127, n: 129, k: 128 });
    check(T, { m: 129, n: 127, k: 255 });
    check(T, { m: 37, n: 41, k: 257 }); // k crosses the depth block: later blocks accumulate
    check(T, { m: 131, n: 517, k: 20 }); // m crosses the A block, n the B panel
    check(T, { m: 6, n: 5, k: 300 }); // ragged tiles in both directions
    check(T, { m: 200, n: 3, k: 50 }); // skinny: n < tile width
    check(T, { m: 1, n: 300, k: 70 }); // a row vector times a matrix
  });

  it('matches for random sizes', () => {
    const rand = rng(42);
    const size = () => 1 + Math.floor(((rand() + 1) / 2) * 150);
    for (let t = 0; t < 12; t++) check(T, { m: size(), n: size(), k: size(), seed: t });
  });

  it('reads transposed and other strided operands without copies by the caller', () => {
    const layouts: Layout[] = ['row', 'col', 'padded'];
    for (const layoutA of layouts) {
      for (const layoutB of layouts) {
        check(T, { m: 7, n: 9, k: 5, layoutA, layoutB });
        check(T, { m: 2, n: 41, k: 9, layoutA, layoutB }); // few rows: direct path
        check(T, { m: 43, n: 3, k: 9, layoutA, layoutB, outOffset: 5 }); // few columns: direct path on outᵀ
        check(T, { m: 70, n: 66, k: 67, layoutA, layoutB }); // blocked path
        check(T, { m: 5, n: 300, k: 260, layoutA, layoutB }); // blocked, k past one depth block
      }
    }
  });

  it('reads broadcast (stride-0) operands', () => {
    for (const layoutA of ['broadcastRow', 'broadcastCol'] as const) {
      check(T, { m: 9, n: 8, k: 10, layoutA });
      check(T, { m: 69, n: 70, k: 71, layoutA, layoutB: 'col' });
    }
    check(T, { m: 69, n: 70, k: 71, layoutB: 'broadcastRow' });
  });

  it('honours operand offsets and outOffset', () => {
    check(T, { m: 3, n: 4, k: 5, offsetA: 7, offsetB: 11, outOffset: 13 });
    check(T, { m: 30, n: 1, k: 20, offsetA: 7, offsetB: 11, outOffset: 13, layoutA: 'col' });
    check(T, { m: 67, n: 65, k: 66, offsetA: 7, offsetB: 11, outOffset: 13, layoutA: 'col', layoutB: 'col' });
    check(T, {
      m: 130,
      n: 68,
      k: 300,
      offsetA: 1,
      offsetB: 2,
      outOffset: 3,
      layoutA: 'padded',
      layoutB: 'col',
    });
  });
});

describe('matmulKernel scratch reuse', () => {
  it('stays correct when calls alternate float types and sizes', () => {
    // Shared pack buffers must not leak state from a bigger or differently-typed previous call.
    check(Float32Array, { m: 150, n: 140, k: 290 });
    check(Float64Array, { m: 65, n: 66, k: 67, layoutA: 'col' });
    check(Float32Array, { m: 9, n: 10, k: 11 });
    check(Float64Array, { m: 150, n: 140, k: 290, layoutB: 'col' });
    check(Float32Array, { m: 66, n: 5, k: 7, outOffset: 2 });
  });
});
