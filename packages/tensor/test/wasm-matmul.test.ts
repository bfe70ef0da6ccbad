/**
 * The wasm backend's float32 matmul against the portable backend: sizes 0, 1, odd and past every block size,
 * every stride layout (transposes, padded and stepped slices, offsets, stride-0 expansions, sparse views), and
 * batches. The error bound is the standard one for a length-k float32 sum, 2(k+2)·u·Σ|a·b| with u = 2⁻²⁴: tight
 * enough that any indexing mistake fails, loose enough for either summation order or fused multiply-adds.
 * The kernel cases call the wasm path directly, so tiny shapes, which the backend hands to JS, are covered too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StridedArray } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { loadKernels } from '../src/backend/wasm/loader.js';
import { matmulOnKernels } from '../src/backend/wasm/matmul.js';
import {
  getBackend,
  initWasmBackend,
  manualSeed,
  noGrad,
  randn,
  registerBackend,
  setBackend,
  wasmBackend,
} from '../src/index.js';

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** How the two matrix dims of an operand are laid out in its buffer. */
type Layout = 'row' | 'col' | 'padded' | 'stepped' | 'broadcastRow' | 'broadcastCol' | 'sparse';

function matrixStrides(layout: Layout, rows: number, cols: number): [number, number] {
  const strides: Record<Layout, [number, number]> = {
    row: [cols, 1],
    col: [1, rows], // a transposed view
    padded: [cols + 3, 1], // a column slice of a wider matrix
    stepped: [2 * cols + 1, 2], // x[::1, ::2] of a wider matrix
    broadcastRow: [0, 1], // expanded along rows
    broadcastCol: [1, 0],
    sparse: [100 * cols + 7, 1], // touches so little of its span that it is gathered, not copied
  };
  return strides[layout];
}

interface OperandSpec {
  layout?: Layout;
  offset?: number;
  /** Batch dims all have stride 0: one matrix expanded over the batch. */
  expandBatch?: boolean;
}

/** A [...batch, rows, cols] float32 view at `offset` in a buffer of random values, laid out as asked. */
function operand(batch: number[], rows: number, cols: number, spec: OperandSpec, rand: () => number) {
  const { layout = 'row', offset = 0, expandBatch = false } = spec;
  const [rowStride, colStride] = matrixStrides(layout, rows, cols);
  const matrixSpan = rows && cols ? (rows - 1) * rowStride + (cols - 1) * colStride + 1 : 0;
  const batchStrides = new Array<number>(batch.length);
  let block = matrixSpan + 2; // a little gap between batch entries
  for (let d = batch.length - 1; d >= 0; d--) {
    batchStrides[d] = expandBatch ? 0 : block;
    block *= expandBatch ? 1 : batch[d];
  }
  const data = new Float32Array(offset + block + 3);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  const view: StridedArray = {
    data,
    shape: [...batch, rows, cols],
    strides: [...batchStrides, rowStride, colStride],
    offset,
  };
  return view;
}

interface Case {
  m: number;
  n: number;
  k: number;
  batch?: number[];
  a?: OperandSpec;
  b?: OperandSpec;
  seed?: number;
}

function absView(x: StridedArray): StridedArray {
  return { ...x, data: Float64Array.from(x.data, Math.abs) };
}

/** Runs one case on the wasm kernels (bypassing the small-size dispatch to JS) and checks it. */
function check(c: Case): void {
  const { m, n, k, batch = [], seed = 1 } = c;
  const rand = rng(seed * 7919 + m * 131 + n * 17 + k);
  const a = operand(batch, m, k, c.a ?? {}, rand);
  const b = operand(batch, k, n, c.b ?? {}, rand);
  const size = batch.reduce((p, d) => p * d, 1) * m * n;
  const got = new Float32Array(size).fill(Number.NaN); // must be overwritten, not accumulated into
  expect(matmulOnKernels(loadKernels()!, a, b, got)).toBe(true);
  const expected = new Float32Array(size);
  jsBackend.matmul(a, b, expected);
  const magnitude = new Float64Array(size); // Σ|a·b| per output element
  jsBackend.matmul(absView(a), absView(b), magnitude);
  let worst = 0;
  let where = '';
  for (let i = 0; i < size; i++) {
    const tol = 2 * (k + 2) * 2 ** -24 * magnitude[i] + Number.MIN_VALUE;
    const ratio = Number.isNaN(got[i]) ? Number.POSITIVE_INFINITY : Math.abs(got[i] - expected[i]) / tol;
    if (ratio > worst) {
      worst = ratio;
      where = `out[${i}] = ${got[i]}, expected ${expected[i]} ± ${tol}`;
    }
  }
  expect(worst <= 1, `${JSON.stringify(c)}: ${where}`).toBe(true);
}

const layouts: Layout[] = ['row', 'col', 'padded', 'stepped'];

/** a·b with b copied to a layout with a column stride of 2, which the kernels always pack (the reference path). */
function throughPacking(a: StridedArray, b: StridedArray): Float32Array {
  const [k, n] = b.shape;
  const stepped = new Float32Array(2 * k * n);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++)
      stepped[2 * (p * n + j)] = b.data[b.offset + p * b.strides[0] + j * b.strides[1]];
  }
  const out = new Float32Array(a.shape[0] * n);
  const packed: StridedArray = { data: stepped, shape: [k, n], strides: [2 * n, 2], offset: 0 };
  expect(matmulOnKernels(loadKernels()!, a, packed, out)).toBe(true);
  return out;
}

describe('wasm matmul kernels', () => {
  it('load in this engine (Node 20 has WebAssembly SIMD)', () => {
    expect(loadKernels()?.variant).toMatch(/^(simd|relaxed-simd)$/);
  });

  it('multiplies every size from 1 to 70 on the diagonal, and tiny mixed shapes', () => {
    for (let s = 1; s <= 70; s++) check({ m: s, n: s, k: s });
    for (const m of [1, 2, 3, 5]) for (const n of [1, 2, 7, 9]) for (const k of [1, 3, 8]) check({ m, n, k });
  });

  it('matches for random sizes in 1..70', () => {
    const rand = rng(42);
    const size = () => 1 + Math.floor(((rand() + 1) / 2) * 70);
    for (let t = 0; t < 40; t++) check({ m: size(), n: size(), k: size(), seed: t });
  });

  it('crosses the block sizes (KC 256, MC 128, NC 512) with ragged edges', () => {
    check({ m: 129, n: 129, k: 129 });
    check({ m: 257, n: 257, k: 257 });
    check({ m: 37, n: 41, k: 600 }); // three depth blocks: later ones accumulate
    check({ m: 300, n: 530, k: 20 }); // m past the A block, n past the B panel
    check({ m: 6, n: 5, k: 300 });
  });

  it('reads a row-major B in place for products of up to 64 rows, bit for bit as the packed path', () => {
    // [m, k, n]: edge slivers (n % 8), several depth blocks (k > 256), two B panels (n > 512), 64 rows.
    const shapes = [
      [32, 300, 516],
      [64, 1024, 256],
      [5, 40, 12],
      [33, 17, 20],
      [64, 260, 1020],
      [65, 64, 64], // past the row limit: packed
    ];
    for (const [m, k, n] of shapes) {
      check({ m, n, k });
      const rand = rng(m * 1000 + n + k);
      const a = operand([], m, k, {}, rand);
      const b = operand([], k, n, {}, rand); // row-major: read in place
      const inPlace = new Float32Array(m * n);
      expect(matmulOnKernels(loadKernels()!, a, b, inPlace)).toBe(true);
      expect(inPlace).toEqual(throughPacking(a, b));
    }
  });

  it('reads W in place for A·Wᵀ (column-major B), bit for bit as the packed path', () => {
    // [m, k, n]: partial 8-row slivers (m % 8 ≤ 4 and > 4), more than 64 rows (the packed path), n mod 4 columns left
    // to the packed path, several depth blocks, W rows at offsets.
    const shapes = [
      [4, 8, 4],
      [5, 40, 12],
      [13, 300, 6],
      [32, 256, 1024],
      [64, 784, 256],
      [70, 257, 37],
      [129, 600, 21],
    ];
    for (const [m, k, n] of shapes) {
      check({ m, n, k, b: { layout: 'col' } });
      check({ m, n, k, a: { layout: 'col', offset: 5 }, b: { layout: 'col', offset: 3 } });
      const rand = rng(m * 1000 + n + k);
      const a = operand([], m, k, {}, rand);
      const w = operand([], n, k, { offset: 1 }, rand); // W [n, k]; B = Wᵀ is read in place
      const wT: StridedArray = { ...w, shape: [k, n], strides: [1, k] };
      const inPlace = new Float32Array(m * n);
      expect(matmulOnKernels(loadKernels()!, a, wT, inPlace)).toBe(true);
      expect(inPlace).toEqual(throughPacking(a, wT));
    }
  });

  it('handles k = 0 (zeros) and empty m or n', () => {
    check({ m: 4, n: 6, k: 0 });
    check({ m: 70, n: 90, k: 0, batch: [2] });
    check({ m: 0, n: 5, k: 3 });
    check({ m: 5, n: 0, k: 3 });
    check({ m: 0, n: 0, k: 0 });
    check({ m: 3, n: 4, k: 5, batch: [0, 2] });
  });

  it('reads transposed, sliced and stepped views at offsets, in every combination', () => {
    for (const la of layouts) {
      for (const lb of layouts) {
        const a = { layout: la, offset: 7 };
        const b = { layout: lb, offset: 11 };
        check({ m: 7, n: 9, k: 5, a, b });
        check({ m: 2, n: 41, k: 9, a, b }); // fewer rows than a tile: unpacked paths where the layout allows
        check({ m: 3, n: 70, k: 257, a, b });
        check({ m: 1, n: 5, k: 6, a, b });
        check({ m: 43, n: 3, k: 9, a, b });
        check({ m: 70, n: 66, k: 67, a, b });
        check({ m: 5, n: 130, k: 260, a, b });
      }
    }
  });

  it('reads stride-0 (expanded) and sparse views', () => {
    for (const layout of ['broadcastRow', 'broadcastCol', 'sparse'] as const) {
      check({ m: 9, n: 8, k: 10, a: { layout } });
      check({ m: 69, n: 70, k: 71, a: { layout }, b: { layout: 'col' } });
      check({ m: 33, n: 35, k: 9, b: { layout, offset: 3 } });
    }
  });

  it('multiplies batches, including batch dims expanded with stride 0', () => {
    check({ m: 5, n: 6, k: 7, batch: [3] });
    check({ m: 17, n: 19, k: 21, batch: [2, 3], a: { layout: 'col' }, b: { layout: 'padded', offset: 5 } });
    check({ m: 33, n: 9, k: 40, batch: [4], a: { expandBatch: true } });
    check({ m: 8, n: 65, k: 12, batch: [2, 2], b: { expandBatch: true, layout: 'col' } });
    check({ m: 1, n: 1, k: 70, batch: [5] });
  });

  it('reuses its scratch memory: repeated products do not grow it', () => {
    check({ m: 200, n: 200, k: 200 });
    const memory = loadKernels()!.exports.memory;
    const bytes = memory.buffer.byteLength;
    for (let i = 0; i < 5; i++) check({ m: 150, n: 180, k: 190, seed: i });
    check({ m: 3, n: 4, k: 5 });
    expect(memory.buffer.byteLength).toBe(bytes);
  });
});

describe('wasm backend', () => {
  afterEach(() => setBackend('js'));

  it('is selectable and gives the JS backend results through the tensor API', () => {
    registerBackend(wasmBackend);
    manualSeed(3);
    const a = randn([2, 33, 47], { dtype: 'float32' });
    const b = randn([47, 29], { dtype: 'float32' });
    const c = randn([29, 47], { dtype: 'float32' });
    const d = randn([33, 29], { dtype: 'float32' });
    const products = () =>
      noGrad(() => [
        a.matmul(b), // batch broadcast: b expanded with batch stride 0
        a.matmul(c.t()),
        a.transpose(-2, -1).matmul(d),
        a.slice(2, 1, 40, 2).matmul(b.slice(0, 1, 40, 2)),
        a.select(0, 1).matmul(b.slice(1, 3)), // inner dims must agree: [33,47]·[47,26]
      ]);
    const expected = products();
    setBackend('wasm');
    expect(getBackend().name).toBe('wasm');
    const got = products();
    for (const [i, g] of got.entries()) expect(g).toBeAllClose(expected[i], { rtol: 1e-5, atol: 1e-5 });
  });

  it('hands tiny products to the portable kernel and larger ones to wasm, with the same results', () => {
    const rand = rng(8);
    for (const [m, n, k] of [
      [2, 3, 4],
      [8, 8, 8],
      [8, 8, 9],
      [40, 1, 30],
    ]) {
      const a = operand([], m, k, {}, rand);
      const b = operand([], k, n, { layout: 'col' }, rand);
      const got = new Float32Array(m * n);
      const expected = new Float32Array(m * n);
      wasmBackend.matmul(a, b, got);
      jsBackend.matmul(a, b, expected);
      expect(got).toBeAllClose(expected, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it('leaves float64 products to the portable kernel (bit-identical)', () => {
    registerBackend(wasmBackend);
    manualSeed(4);
    const a = randn([20, 30], { dtype: 'float64' });
    const b = randn([30, 10], { dtype: 'float64' });
    const expected = a.matmul(b).dataSync();
    setBackend('wasm');
    expect(Array.from(a.matmul(b).dataSync())).toEqual(Array.from(expected));
  });

  it('backpropagates through matmul like the JS backend', () => {
    registerBackend(wasmBackend);
    manualSeed(5);
    const grads = () => {
      const a = randn([6, 9], { dtype: 'float32', requiresGrad: true });
      const b = randn([9, 5], { dtype: 'float32', requiresGrad: true });
      a.matmul(b).tanh().sum().backward();
      return [a.grad!, b.grad!];
    };
    manualSeed(5);
    const expected = grads();
    setBackend('wasm');
    manualSeed(5);
    const got = grads();
    for (const [i, g] of got.entries()) expect(g).toBeAllClose(expected[i], { rtol: 1e-5, atol: 1e-6 });
  });
});

describe('wasm kernel builds', () => {
  it('the plain SIMD128 build is correct on its own', async () => {
    expect(await initWasmBackend({ variant: 'simd' })).toBe('simd');
    check({ m: 70, n: 66, k: 300, a: { layout: 'col' } });
    check({ m: 9, n: 130, k: 7, b: { layout: 'col' } });
    await initWasmBackend({ variant: 'relaxed-simd' }); // back to the best one, where the engine has it
  });

  it('the relaxed-SIMD build is correct too (in a child Node with relaxed SIMD enabled)', () => {
    // Node 20 validates relaxed SIMD only behind a flag, which this process was not started with.
    const source = readFileSync(new URL('../src/backend/wasm/generated/kernels.ts', import.meta.url), 'utf8');
    const base64 = /relaxedSimdKernels =\s*'([^']+)'/.exec(source)![1];
    const child = `
      const bytes = Buffer.from(process.argv[1], 'base64');
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      exports.memory.grow(64);
      const heap = new Float32Array(exports.memory.buffer);
      let worst = 0, s = 9;
      const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
      for (const [m, n, k, transposeA, transposeB] of [[70, 66, 300, 1, 0], [9, 130, 7, 0, 1], [64, 64, 64, 0, 0], [3, 70, 37, 0, 0], [1, 70, 37, 0, 1]]) {
        const work = exports.heapBase();
        const a = (work + exports.workBytes()) / 4, b = a + m * k, c = b + k * n;
        for (let i = a; i < c; i++) heap[i] = rand();
        const [ar, ac] = transposeA ? [1, m] : [k, 1];
        const [br, bc] = transposeB ? [1, k] : [n, 1];
        exports.matmul(m, n, k, a * 4, ar, ac, b * 4, br, bc, c * 4, n, work);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let sum = 0, abs = 0;
          for (let p = 0; p < k; p++) { const x = heap[a + i * ar + p * ac] * heap[b + p * br + j * bc]; sum += x; abs += Math.abs(x); }
          worst = Math.max(worst, Math.abs(heap[c + i * n + j] - sum) / (2 * (k + 2) * 2 ** -24 * abs));
        }
      }
      console.log(worst);`;
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
    const flags = WebAssembly.validate(bytes) ? [] : ['--experimental-wasm-relaxed-simd'];
    const worst = execFileSync(process.execPath, [...flags, '-e', child, base64], { encoding: 'utf8' });
    expect(Number(worst)).toBeLessThanOrEqual(1);
  });
});
