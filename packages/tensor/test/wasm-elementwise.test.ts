/**
 * The wasm backend's elementwise, sum and softmax kernels (assembly/elementwise.ts) against the portable ones,
 * on operands large enough to take the kernels: contiguous rows with and without a tail of < 4 elements, a row
 * broadcast (a bias), a column broadcast, a scalar, permuted leading dims (blocks), a transposed operand (which
 * the portable kernel keeps), and special values (NaN, ±0, ±∞, huge and tiny numbers). Everything but exp,
 * tanh, the sigmoid, softmax and the sums must agree bit for bit (−0 included); those to a few float32 ulp.
 */
import { describe, expect, it } from 'vitest';
import type { BinaryOp, StridedArray, UnaryOp } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { toBlocks } from '../src/backend/wasm/elementwise.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { loadKernels } from '../src/backend/wasm/loader.js';
import { contiguousStrides, sizeOf } from '../src/shape.js';

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

const specials = [
  Number.NaN,
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e30,
  -1e-40,
  88.5,
  -104,
];

/** Storage for `count` elements at offset 3, random in [-4, 4) with a special value every 7th element. */
function storage(count: number, seed: number, specialsToo = true): Float32Array {
  const next = rng(seed);
  const data = new Float32Array(count + 3);
  for (let i = 0; i < data.length; i++) {
    data[i] = specialsToo && i % 7 === 0 ? specials[(i / 7) % specials.length] : 4 * next();
  }
  return data;
}

/** A contiguous view of `shape`. */
function dense(shape: number[], seed: number, specialsToo = true): StridedArray {
  return {
    data: storage(sizeOf(shape), seed, specialsToo),
    shape,
    strides: contiguousStrides(shape),
    offset: 3,
  };
}

/** `x` with its dims permuted (a view of the same storage). */
function permuted(x: StridedArray, order: number[]): StridedArray {
  return { ...x, shape: order.map((d) => x.shape[d]), strides: order.map((d) => x.strides[d]) };
}

/** A view of `shape` that repeats `source` (of shape `sourceShape`, dims aligned right) along stride-0 dims. */
function broadcast(source: StridedArray, shape: number[]): StridedArray {
  const lead = shape.length - source.shape.length;
  const strides = shape.map((size, d) => {
    if (d < lead) return 0;
    return source.shape[d - lead] === 1 && size !== 1 ? 0 : source.strides[d - lead];
  });
  return { ...source, shape, strides };
}

/** The first half of x's last dim (a narrowed view: rows of contiguous elements with a gap between them). */
function halfRows(x: StridedArray): StridedArray {
  const last = x.shape.length - 1;
  return { ...x, shape: x.shape.map((size, d) => (d === last ? size / 2 : size)) };
}

/** Each element's bits, so that −0 ≠ +0 and NaN = NaN. */
const bits = (x: Float32Array | Uint8Array) => (x instanceof Float32Array ? new Uint32Array(x.buffer) : x);

/** Operand pairs of one shape in the layouts the kernels take (and one they leave to the portable loops). */
function binaryCases(): [string, StridedArray, StridedArray][] {
  const shape = [37, 67];
  const a = dense(shape, 1);
  return [
    ['contiguous, 3-element tails', a, dense(shape, 2)],
    ['a row broadcast (a bias)', a, broadcast(dense([67], 3), shape)],
    ['a column broadcast', a, broadcast(dense([37, 1], 4), shape)],
    ['a scalar', broadcast(dense([1], 5), shape), a],
    ['one long row', dense([1031], 6), dense([1031], 7)],
    [
      'permuted leading dims (blocks)',
      permuted(dense([3, 5, 4, 24], 8), [1, 0, 2, 3]),
      dense([5, 3, 4, 24], 9),
    ],
    ['a transposed operand (portable)', a, permuted(dense([67, 37], 10), [1, 0])],
  ];
}

/** Softmax of contiguous x on both backends: [wasm, portable] outputs. */
function softmaxBoth(x: StridedArray, log: boolean): [Float32Array, Float32Array] {
  const run = (backend: typeof jsBackend) => {
    const data = new Float32Array(sizeOf(x.shape));
    backend.softmax(x, { data, shape: x.shape, strides: contiguousStrides(x.shape), offset: 0 }, log);
    return data;
  };
  return [run(wasmBackend), run(jsBackend)];
}

const exactUnary: UnaryOp[] = ['neg', 'abs', 'sqrt', 'relu'];
const polynomialUnary: UnaryOp[] = ['exp', 'tanh', 'sigmoid'];
const arithmetic: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'reluBackward'];
const comparisons: BinaryOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

describe.skipIf(loadKernels() === null)('wasm elementwise kernels', () => {
  describe.each(binaryCases())('%s', (name, a, b) => {
    it('takes the kernels unless an operand is strided along its last dim', () => {
      const blocks = toBlocks(a.shape, [a, b]);
      if (name.endsWith('(portable)')) expect(blocks).toBeNull();
      else expect(blocks?.views).toHaveLength(2);
    });

    it.each(exactUnary)('%s is bit-identical to the portable kernel', (op) => {
      const n = sizeOf(a.shape);
      const [wasm, portable] = [new Float32Array(n), new Float32Array(n)];
      wasmBackend.unary(op, a, wasm);
      jsBackend.unary(op, a, portable);
      expect(bits(wasm)).toEqual(bits(portable));
    });

    it.each(polynomialUnary)('%s agrees to a few ulp', (op) => {
      const n = sizeOf(a.shape);
      const [wasm, portable] = [new Float32Array(n), new Float32Array(n)];
      wasmBackend.unary(op, a, wasm);
      jsBackend.unary(op, a, portable);
      expect(wasm).toBeAllClose(portable, { rtol: 3e-7, atol: 1e-38 });
    });

    it.each(arithmetic)('%s is bit-identical to the portable kernel', (op) => {
      const n = sizeOf(a.shape);
      const [wasm, portable] = [new Float32Array(n), new Float32Array(n)];
      wasmBackend.binary(op, a, b, wasm);
      jsBackend.binary(op, a, b, portable);
      expect(bits(wasm)).toEqual(bits(portable));
    });

    it.each(comparisons)('%s gives the portable kernel’s booleans', (op) => {
      const n = sizeOf(a.shape);
      const [wasm, portable] = [new Uint8Array(n), new Uint8Array(n)];
      wasmBackend.binary(op, a, b, wasm);
      jsBackend.binary(op, a, b, portable);
      expect(wasm).toEqual(portable);
    });

    it('where picks as the portable kernel does, with a dense and a broadcast condition', () => {
      const n = sizeOf(a.shape);
      const mask = new Uint8Array(n + 1);
      const next = rng(11);
      for (let i = 0; i < mask.length; i++) mask[i] = next() > 0 ? 1 : 0;
      const shape = a.shape;
      const dense = { data: mask, shape, strides: contiguousStrides(shape), offset: 1 };
      const lastDim: StridedArray = { data: mask, shape: [shape.at(-1)!], strides: [1], offset: 0 };
      for (const cond of [dense, broadcast(lastDim, [...shape])]) {
        const [wasm, portable] = [new Float32Array(n), new Float32Array(n)];
        wasmBackend.where(cond, a, b, wasm);
        jsBackend.where(cond, a, b, portable);
        expect(bits(wasm)).toEqual(bits(portable));
      }
    });
  });

  it.each(binaryCases())('reluBackward(g, x) is where(x > 0, g, 0), bit for bit (%s)', (_name, g, x) => {
    const n = sizeOf(g.shape);
    const shape = [...g.shape];
    const zero: StridedArray = { data: new Float32Array(1), shape, strides: shape.map(() => 0), offset: 0 };
    const [wasm, composed] = [new Float32Array(n), new Float32Array(n)];
    wasmBackend.binary('reluBackward', g, x, wasm);
    const positive = new Uint8Array(n);
    jsBackend.binary('gt', x, zero, positive);
    const mask: StridedArray = { data: positive, shape, strides: contiguousStrides(shape), offset: 0 };
    jsBackend.where(mask, g, zero, composed);
    expect(bits(wasm)).toEqual(bits(composed));
    expect(wasm.some((v, i) => v === 0 && composed[i] === 0 && positive[i] === 0)).toBe(true); // some masked
  });

  it('maximum and minimum keep −0 and +0 in the portable kernel’s order, and let a NaN win', () => {
    const x = new Float32Array([0, -0, Number.NaN, 1, ...new Array(300).fill(2)]);
    const y = new Float32Array([-0, 0, 1, Number.NaN, ...new Array(300).fill(-2)]);
    const view = (data: Float32Array): StridedArray => ({
      data,
      shape: [data.length],
      strides: [1],
      offset: 0,
    });
    for (const op of ['maximum', 'minimum'] as const) {
      const [wasm, portable] = [new Float32Array(x.length), new Float32Array(x.length)];
      wasmBackend.binary(op, view(x), view(y), wasm);
      jsBackend.binary(op, view(x), view(y), portable);
      expect(bits(wasm)).toEqual(bits(portable));
      expect(Number.isNaN(wasm[2]) && Number.isNaN(wasm[3])).toBe(true);
    }
  });

  describe('sums', () => {
    const x = dense([53, 131], 12, false);
    const cases: [string, StridedArray, number][] = [
      ['of contiguous rows (layer norm’s mean)', x, 1],
      ['of rows into a contiguous row (a bias gradient)', permuted(x, [1, 0]), 1],
      ['of everything', x, 2],
      ['over permuted leading dims', permuted(dense([6, 7, 40], 13, false), [2, 0, 1]), 2],
      ['over a broadcast dim (the gradient of a sum)', broadcast(dense([1, 40], 14, false), [300, 40]), 1],
      [
        'of everything in rows with gaps (a loss over the h half of [T, B, 2H])',
        halfRows(dense([10, 6, 80], 15, false)),
        3,
      ],
    ];
    it.each(cases)('%s agree with the portable float64 sums', (_, view, reduceRank) => {
      const groups = sizeOf(view.shape.slice(0, view.shape.length - reduceRank));
      const [wasm, portable] = [new Float32Array(groups), new Float32Array(groups)];
      wasmBackend.reduce('sum', view, reduceRank, wasm);
      jsBackend.reduce('sum', view, reduceRank, portable);
      expect(wasm).toBeAllClose(portable, { rtol: 1e-6, atol: 1e-6 });
    });

    it('of a NaN or an infinity are NaN or infinite', () => {
      const data = new Float32Array(600).fill(1);
      data[5] = Number.NaN;
      data[400] = Number.POSITIVE_INFINITY;
      const view: StridedArray = { data, shape: [2, 300], strides: [300, 1], offset: 0 };
      const out = new Float32Array(2);
      wasmBackend.reduce('sum', view, 1, out);
      expect(Number.isNaN(out[0])).toBe(true);
      expect(out[1]).toBe(Number.POSITIVE_INFINITY);
    });
  });

  describe.each([false, true])('softmax (log: %s)', (log) => {
    it.each([
      ['rows with a 3-element tail', [41, 23]],
      ['long rows', [5, 1001]],
    ])('%s agree with the portable kernel', (_, shape) => {
      const [wasm, portable] = softmaxBoth(dense(shape as number[], 15, false), log);
      expect(wasm).toBeAllClose(portable, { rtol: 1e-6, atol: 1e-7 });
    });

    it('a row with a NaN is NaN, a row of −∞ is NaN, a row with +∞ spikes, as in the portable kernel', () => {
      const cols = 130;
      const data = new Float32Array(3 * cols).fill(0.5);
      data[7] = Number.NaN;
      data.fill(Number.NEGATIVE_INFINITY, cols, 2 * cols);
      data[2 * cols + 9] = Number.POSITIVE_INFINITY;
      const [wasm, portable] = softmaxBoth({ data, shape: [3, cols], strides: [cols, 1], offset: 0 }, log);
      expect(wasm).toBeAllClose(portable, { rtol: 1e-6, atol: 1e-7 });
    });
  });
});
