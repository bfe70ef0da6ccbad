/**
 * @file Float64 finite-difference checks of autograd for every differentiable op in the public API.
 * Each case builds fresh float64 leaves (seeded), so the file is deterministic; inputs are kept away from
 * kinks (abs, relu, clamp boundaries) and ties (maximum/minimum, max/amax) where the derivative jumps.
 */

import {
  abs,
  add,
  amax,
  amin,
  bernoulli,
  cast,
  cat,
  chunk,
  clamp,
  clone,
  contiguous,
  cos,
  DTypeError,
  div,
  dropout,
  erf,
  exp,
  expand,
  flatten,
  fullLike,
  Generator,
  GradcheckError,
  gather,
  gelu,
  gradcheck,
  gruCellGates,
  indexAdd,
  indexSelect,
  isGradEnabled,
  layerNorm,
  linear,
  log,
  logSoftmax,
  lstmCellGates,
  maskedFill,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  narrow,
  neg,
  permute,
  pow,
  randn,
  relu,
  reshape,
  rsqrt,
  scatterAdd,
  select,
  sigmoid,
  sin,
  slice,
  softmax,
  softmaxCrossEntropy,
  split,
  sqrt,
  square,
  squeeze,
  stack,
  std,
  sub,
  sum,
  type Tensor,
  type TensorLike,
  tanh,
  tensor,
  transpose,
  tril,
  triu,
  unsqueeze,
  variance,
  view,
  where,
  zeros,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

/** A float64 leaf of standard normals. */
function rnd(shape: number[], seed: number): Tensor {
  return randn(shape, { dtype: 'float64', requiresGrad: true, generator: new Generator(seed) });
}

/** A float64 leaf of standard normals passed through `map` (to keep values in a domain). */
function mapped(shape: number[], seed: number, map: (v: number) => number): Tensor {
  const values = randn(shape, { dtype: 'float64', generator: new Generator(seed) }).dataSync();
  return tensor(Float64Array.from(values, map), { dtype: 'float64', shape, requiresGrad: true });
}

/** Values in [0.5, ~3): safe for log, sqrt, rsqrt and as a pow base or divisor. */
const positive = (shape: number[], seed: number) => mapped(shape, seed, (v) => 0.5 + Math.abs(v));
/** Values with |v| ≥ 0.2: away from the kink at 0 of abs and relu, and safe as a divisor. */
const awayFromZero = (shape: number[], seed: number) =>
  mapped(shape, seed, (v) => Math.sign(v || 1) * (0.2 + Math.abs(v)));

const int32 = (data: number[] | number[][]) => tensor(data, { dtype: 'int32' });
const bool = (data: boolean[] | boolean[][]) => tensor(data, { dtype: 'bool' });

function check(fn: Fn, inputs: Tensor[], options?: Parameters<typeof gradcheck>[2]): void {
  expect(gradcheck(fn, inputs, options)).toBe(true);
}

describe('gradcheck: unary', () => {
  const shape = [3, 4];
  it.each<[string, (x: Tensor) => Tensor, (s: number[], seed: number) => Tensor]>([
    ['neg', neg, rnd],
    ['exp', exp, rnd],
    ['log (positive inputs)', log, positive],
    ['sqrt (positive inputs)', sqrt, positive],
    ['rsqrt (positive inputs)', rsqrt, positive],
    ['square', square, rnd],
    ['abs (away from 0)', abs, awayFromZero],
    ['sin', sin, rnd],
    ['cos', cos, rnd],
    ['tanh', tanh, rnd],
    ['sigmoid', sigmoid, rnd],
    ['sigmoid (large |x|)', (x) => sigmoid(x.mul(20)), rnd],
    ['relu (away from 0)', relu, awayFromZero],
    ['erf', erf, rnd],
    ['gelu approximate none', (x) => gelu(x, { approximate: 'none' }), rnd],
    ['gelu default (none)', (x) => gelu(x), rnd],
    ['gelu approximate tanh', (x) => gelu(x, { approximate: 'tanh' }), rnd],
    ['clamp min only', (x) => clamp(x, -0.3), awayFromZero],
    ['clamp max only', (x) => clamp(x, null, 0.4), awayFromZero],
    ['clamp min and max', (x) => clamp(x, -0.5, 0.5), awayFromZero],
    ['method chain x.exp().sin().tanh()', (x) => x.exp().sin().tanh(), rnd],
  ])('%s', (_name, fn, make) => {
    check(fn, [make(shape, 11)]);
  });

  it('unary ops on a 0-d tensor', () => {
    const x = tensor(0.7, { dtype: 'float64', requiresGrad: true });
    check((t) => [t.exp(), t.tanh(), t.sqrt(), t.erf(), t.sigmoid(), gelu(t)], [x]);
  });

  it('clamp passes no gradient where it clips (some elements on each side)', () => {
    const x = tensor([-2, -0.25, 0.1, 0.3, 2], { dtype: 'float64', requiresGrad: true });
    check((t) => clamp(t, -0.5, 0.5).mul(t), [x]);
    const y = tensor([-2, -0.25, 0.1, 0.3, 2], { dtype: 'float64', requiresGrad: true });
    clamp(y, -0.5, 0.5).sum().backward();
    expect(Array.from(y.grad?.dataSync() ?? [])).toEqual([0, 1, 1, 1, 0]);
  });
});

describe('gradcheck: linear', () => {
  it('[4, 3] by weight [5, 3] with bias', () => {
    check((x, w, b) => linear(x, w, b), [rnd([4, 3], 51), rnd([5, 3], 52), rnd([5], 53)]);
  });

  it('[2, 3, 4] by weight [2, 4] without bias, and a transposed input', () => {
    check((x, w) => linear(x, w), [rnd([2, 3, 4], 54), rnd([2, 4], 55)]);
    check((x, w, b) => linear(x.t(), w, b), [rnd([3, 4], 56), rnd([2, 3], 57), rnd([2], 58)]);
  });
});

describe('gradcheck: layerNorm', () => {
  it.each<[string, number[], number[], boolean, boolean]>([
    ['[3, 5] over the last dim, weight and bias', [3, 5], [5], true, true],
    ['[2, 3, 4] over the last two dims, weight and bias', [2, 3, 4], [3, 4], true, true],
    ['[4, 6] without weight or bias', [4, 6], [6], false, false],
    ['[4, 6] with bias only', [4, 6], [6], false, true],
    ['[2, 1] (one element per row)', [2, 1], [1], true, true],
  ])('%s', (_name, shape, normalized, withWeight, withBias) => {
    const x = rnd(shape, 41);
    const w = rnd(normalized, 42);
    const b = rnd(normalized, 43);
    check(
      (t, weight, bias) => layerNorm(t, normalized, withWeight ? weight : null, withBias ? bias : null, 0.1),
      [x, w, b],
    );
  });

  it('a transposed input view', () => {
    check((t) => layerNorm(t.t(), [3]), [rnd([3, 4], 44)]);
  });
});

describe('gradcheck: softmax and logSoftmax', () => {
  it.each<[string, number[], number]>([
    ['1-D dim 0', [5], 0],
    ['2-D dim 1', [3, 4], 1],
    ['2-D dim 0', [3, 4], 0],
    ['2-D dim -1', [3, 4], -1],
    ['3-D dim 1', [2, 3, 4], 1],
    ['3-D dim -3', [2, 3, 4], -3],
  ])('softmax %s', (_name, shape, dim) => {
    check((x) => softmax(x, dim), [rnd(shape, 21)]);
  });

  it.each<[string, number[], number]>([
    ['1-D dim 0', [5], 0],
    ['2-D dim 1', [3, 4], 1],
    ['2-D dim 0', [3, 4], 0],
    ['2-D dim -1', [3, 4], -1],
    ['3-D dim 1', [2, 3, 4], 1],
    ['3-D dim -3', [2, 3, 4], -3],
  ])('logSoftmax %s', (_name, shape, dim) => {
    check((x) => logSoftmax(x, dim), [rnd(shape, 22)]);
  });

  it('softmax and logSoftmax of x*100 (large-magnitude logits)', () => {
    const x = rnd([3, 5], 23);
    check((t) => softmax(t.mul(100), -1), [x]);
    check((t) => logSoftmax(t.mul(100), 0), [x]);
  });

  it('softmax and logSoftmax of leaves of magnitude ~1000 (exp would overflow without the max shift)', () => {
    const x = mapped([2, 4], 24, (v) => 1000 * v);
    const y = softmax(x, 1);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    check((t) => softmax(t, 1), [x]);
    check((t) => logSoftmax(t, 1), [x]);
  });
});

describe('gradcheck: softmaxCrossEntropy', () => {
  const targets = int32([3, 0, 4, 4, 1]);
  it.each<[string, number]>([
    ['no smoothing', 0],
    ['label smoothing 0.1', 0.1],
    ['label smoothing 1 (uniform target)', 1],
  ])('%s', (_name, smoothing) => {
    check((x) => softmaxCrossEntropy(x, targets, smoothing), [rnd([5, 6], 25)]);
  });

  it('of a transposed view, and of logits ×100 (a saturated softmax)', () => {
    check((x) => softmaxCrossEntropy(x.t(), targets, 0.2), [rnd([6, 5], 26)]);
    check((x) => softmaxCrossEntropy(x.mul(100), targets, 0.1), [rnd([5, 6], 27)]);
  });
});

describe('gradcheck: fused LSTM and GRU cell gates', () => {
  // Pre-activations ×2 reach the sigmoid/tanh tails as well as their middle.
  it.each<[string, number, number]>([
    ['B 3, H 2', 3, 2],
    ['B 1, H 1', 1, 1],
    ['B 2, H 4', 2, 4],
  ])('lstmCellGates %s: both outputs, gradients to gates and cPrev', (_name, b, h) => {
    check((g, c) => lstmCellGates(g.mul(2), c), [rnd([b, 4 * h], 61), rnd([b, h], 62)]);
  });

  it.each<[string, number, number]>([
    ['B 3, H 2', 3, 2],
    ['B 1, H 1', 1, 1],
    ['B 2, H 4', 2, 4],
  ])('gruCellGates %s: gradients to gx, gh and hPrev', (_name, b, h) => {
    check(
      (x, y, p) => gruCellGates(x.mul(2), y.mul(2), p),
      [rnd([b, 3 * h], 63), rnd([b, 3 * h], 64), rnd([b, h], 65)],
    );
  });

  it('only h or only c of lstmCellGates used, and cPrev without grad', () => {
    const c = randn([2, 3], { dtype: 'float64', generator: new Generator(66) });
    check((g) => lstmCellGates(g, c).narrow(1, 0, 3), [rnd([2, 12], 67)]);
    check((g) => lstmCellGates(g, c).narrow(1, 3, 3), [rnd([2, 12], 68)]);
  });

  it('gruCellGates with some inputs not requiring grad (the same gx on both sides)', () => {
    const h = randn([2, 3], { dtype: 'float64', generator: new Generator(69) });
    check((x) => gruCellGates(x, x.mul(0.5), h), [rnd([2, 9], 70)]);
  });

  it('strided inputs: transposed, sliced and expanded views', () => {
    check((g, c) => lstmCellGates(g.t(), c.slice(1, 0, null, 2)), [rnd([8, 3], 71), rnd([3, 4], 72)]);
    check(
      (x, y, p) => gruCellGates(x.t(), y.slice(1, 1, null, 2), p.expand([3, 2])),
      [rnd([6, 3], 73), rnd([3, 12], 74), rnd([1, 2], 78)],
    );
  });

  it('a two-step recurrence through the fused cells, h and c read as views', () => {
    check(
      (g1, g2, c0) => {
        const hc1 = lstmCellGates(g1, c0); // [2, 6]
        const [h1, c1] = [hc1.narrow(1, 0, 3), hc1.narrow(1, 3, 3)]; // [2, 3] each
        const hc2 = lstmCellGates(g2.add(cat([h1, h1, c1, h1], 1)), c1); // [2, 6]
        const h2 = hc2.narrow(1, 0, 3); // [2, 3]
        return gruCellGates(cat([hc2, h2], 1), cat([h1, hc2], 1), h2); // [2, 3]
      },
      [rnd([2, 12], 75), rnd([2, 12], 76), rnd([2, 3], 77)],
    );
  });
});

describe('dropout masks', () => {
  it('zero with probability p and scale the rest by 1/(1−p), as bernoulli(1−p) · x / (1−p) does', () => {
    const x = randn([7, 33], { dtype: 'float32' });
    const expected = mul(x, mul(bernoulli(fullLike(x, 0.7), { generator: new Generator(5) }), 1 / 0.7));
    expect(dropout(x, { p: 0.3, generator: new Generator(5) }).toArray()).toEqual(expected.toArray());
  });
});

describe('gradcheck: dropout', () => {
  it('dropout with a freshly seeded generator on every call (same mask each evaluation)', () => {
    const x = rnd([4, 5], 31);
    const fn = (t: Tensor) => dropout(t, { p: 0.4, generator: new Generator(1234) });
    const kept = Array.from(fn(x).dataSync()).filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    check(fn, [x]);
  });

  it('dropout (method form) composed with another op', () => {
    check(
      (t) =>
        t
          .tanh()
          .dropout({ p: 0.25, generator: new Generator(99) })
          .mul(t),
      [rnd([6], 32)],
    );
  });

  it('dropout in eval mode and with p = 1', () => {
    check((t) => dropout(t, { training: false }).mul(2), [rnd([5], 33)]);
    check((t) => dropout(t, { p: 1 }).add(t), [rnd([5], 34)]);
  });
});

describe('gradcheck: binary ops with broadcasting', () => {
  type Binary = (a: TensorLike, b: TensorLike) => Tensor;
  // How to build each side: the default is normals; div needs a divisor away from 0, pow a positive base.
  const ops: [string, Binary, typeof rnd, typeof rnd][] = [
    ['add', add, rnd, rnd],
    ['sub', sub, rnd, rnd],
    ['mul', mul, rnd, rnd],
    ['div', div, rnd, awayFromZero],
    ['pow', pow, positive, rnd],
    ['maximum', maximum, rnd, rnd],
    ['minimum', minimum, rnd, rnd],
  ];
  const shapes: [string, number[], number[]][] = [
    ['same shape [2,3]', [2, 3], [2, 3]],
    ['[2,3] and [3]', [2, 3], [3]],
    ['[3] and [2,3]', [3], [2, 3]],
    ['[3,1] and [1,4]', [3, 1], [1, 4]],
    ['[2,1,4] and [3,1]', [2, 1, 4], [3, 1]],
    ['[2,3] and 0-d', [2, 3], []],
    ['0-d and [2,3]', [], [2, 3]],
    ['0-d and 0-d', [], []],
  ];
  const cases = ops.flatMap(([name, op, makeA, makeB]) =>
    shapes.map(([label, sa, sb]) => [`${name} ${label}`, op, makeA, makeB, sa, sb] as const),
  );

  it.each(cases)('%s', (_name, op, makeA, makeB, sa, sb) => {
    check((a, b) => op(a, b), [makeA(sa, 41), makeB(sb, 42)]);
  });

  it.each<[string, (x: Tensor) => Tensor, typeof rnd]>([
    ['add(x, 2.5)', (x) => add(x, 2.5), rnd],
    ['add(2.5, x)', (x) => add(2.5, x), rnd],
    ['sub(x, 1.5)', (x) => sub(x, 1.5), rnd],
    ['sub(1.5, x)', (x) => sub(1.5, x), rnd],
    ['mul(x, -3)', (x) => mul(x, -3), rnd],
    ['mul(-3, x)', (x) => mul(-3, x), rnd],
    ['div(x, 4)', (x) => div(x, 4), rnd],
    ['div(2, x)', (x) => div(2, x), awayFromZero],
    ['pow(x, 3) (integer exponent, any sign base)', (x) => pow(x, 3), rnd],
    ['pow(x, 2.5) (positive base)', (x) => pow(x, 2.5), positive],
    ['pow(x, -0.5) (positive base)', (x) => pow(x, -0.5), positive],
    ['pow(2.5, x) (number base)', (x) => pow(2.5, x), rnd],
    ['maximum(x, 0.1)', (x) => maximum(x, 0.1), rnd],
    ['maximum(0.1, x)', (x) => maximum(0.1, x), rnd],
    ['minimum(x, 0.1)', (x) => minimum(x, 0.1), rnd],
    ['minimum(0.1, x)', (x) => minimum(0.1, x), rnd],
  ])('scalar number operand: %s', (_name, fn, make) => {
    check(fn, [make([2, 3], 43)]);
  });

  it('pow with a tensor exponent that does not require grad', () => {
    const exponent = randn([3], { dtype: 'float64', generator: new Generator(44) });
    check((a) => pow(a, exponent), [positive([2, 3], 45)]);
  });

  it('an operand reused on both sides: x*x + x/(x+4)', () => {
    check((x) => mul(x, x).add(div(x, add(x, 4))), [positive([2, 3], 46)]);
  });
});

describe('gradcheck: where and maskedFill', () => {
  it('where with both branches requiring grad and a broadcast cond [3]', () => {
    const cond = bool([true, false, true]);
    check((a, b) => where(cond, a, b), [rnd([2, 3], 51), rnd([2, 3], 52)]);
  });

  it('where with cond [2,1] and branches [2,3] and [3] broadcast', () => {
    const cond = bool([[true], [false]]);
    check((a, b) => where(cond, a, b), [rnd([2, 3], 53), rnd([3], 54)]);
  });

  it('where with cond [2,3] and 0-d / number branches', () => {
    const cond = bool([
      [true, false, false],
      [false, true, true],
    ]);
    check((a, s) => where(cond, a, s), [rnd([2, 3], 55), rnd([], 56)]);
    check((a) => where(cond, 2, a), [rnd([2, 3], 57)]);
    check((a) => a.where(cond, -1), [rnd([2, 3], 58)]);
  });

  it('maskedFill with a same-shape and a broadcast mask', () => {
    const mask = bool([
      [true, false, false, true],
      [false, false, true, false],
      [true, true, false, false],
    ]);
    check((x) => maskedFill(x, mask, -5), [rnd([3, 4], 59)]);
    check((x) => maskedFill(x, bool([false, true, false, true]), 0).mul(x), [rnd([3, 4], 60)]);
    check((x) => x.maskedFill(bool([[true], [false], [true]]), 3), [rnd([3, 4], 61)]);
  });
});

describe('gradcheck: reductions', () => {
  const x3 = () => rnd([2, 3, 4], 71);
  it.each<[string, (x: Tensor) => Tensor]>([
    ['sum all', (x) => sum(x)],
    ['sum dim 1', (x) => sum(x, 1)],
    ['sum dims [0,2]', (x) => sum(x, [0, 2])],
    ['sum dim -1', (x) => sum(x, -1)],
    ['sum dims [-1,-3] keepdim', (x) => sum(x, [-1, -3], true)],
    ['sum dim 1 keepdim', (x) => sum(x, 1, true)],
    ['sum dim 1 keepdim=false', (x) => sum(x, 1, false)],
    ['sum all keepdim', (x) => x.sum(null, true)],
    ['mean all', (x) => mean(x)],
    ['mean dim 1', (x) => mean(x, 1)],
    ['mean dims [0,-1] keepdim', (x) => mean(x, [0, -1], true)],
    ['mean dim -2', (x) => x.mean(-2)],
    ['variance all (correction 1)', (x) => variance(x)],
    ['variance all (correction 0)', (x) => variance(x, null, { correction: 0 })],
    ['variance dim 1 correction 0', (x) => variance(x, 1, { correction: 0 })],
    ['variance dim 1 correction 1', (x) => variance(x, 1, { correction: 1 })],
    ['variance dims [0,2] keepdim', (x) => variance(x, [0, 2], { keepdim: true })],
    ['variance dim -1 correction 0 keepdim', (x) => x.var(-1, { correction: 0, keepdim: true })],
    ['std all', (x) => std(x)],
    ['std dim 2', (x) => std(x, 2)],
    ['std dim 0 correction 0 keepdim', (x) => std(x, 0, { correction: 0, keepdim: true })],
    ['amax all', (x) => amax(x)],
    ['amax dim 1', (x) => amax(x, 1)],
    ['amax dims [0,2] keepdim', (x) => amax(x, [0, 2], true)],
    ['amin all', (x) => amin(x)],
    ['amin dim -1', (x) => amin(x, -1)],
    ['amin dims [1,2] keepdim', (x) => amin(x, [1, 2], true)],
    ['max() (no dim)', (x) => max(x)],
    ['min() (no dim)', (x) => min(x)],
    ['max dim 1 values', (x) => max(x, 1)[0]],
    ['max dim -1 keepdim values', (x) => max(x, -1, true)[0]],
    ['max dim 0 values (method)', (x) => x.max(0)[0]],
    ['min dim 2 values', (x) => min(x, 2)[0]],
    ['min dim -2 keepdim values', (x) => min(x, -2, true)[0]],
  ])('%s', (_name, fn) => {
    check(fn, [x3()]);
  });

  it('max/min with dim on a 1-D tensor and amax on a 0-d tensor', () => {
    check((x) => [max(x, 0)[0], min(x, 0)[0]], [rnd([5], 72)]);
    check((x) => [amax(x), max(x, 0)[0]], [tensor(1.5, { dtype: 'float64', requiresGrad: true })]);
  });

  it('sum of a 0-d tensor', () => {
    check((x) => sum(x).mul(x), [tensor(-0.8, { dtype: 'float64', requiresGrad: true })]);
  });
});

describe('gradcheck: matmul', () => {
  it.each<[string, number[], number[]]>([
    ['1-D · 1-D', [4], [4]],
    ['1-D · 2-D', [3], [3, 4]],
    ['2-D · 1-D', [3, 4], [4]],
    ['2-D · 2-D', [2, 3], [3, 4]],
    ['batched 3-D · 3-D', [2, 3, 4], [2, 4, 5]],
    ['broadcast batch [2,1,3,4] · [3,4,5]', [2, 1, 3, 4], [3, 4, 5]],
    ['3-D · 2-D', [2, 3, 4], [4, 5]],
    ['2-D · 3-D', [3, 4], [2, 4, 5]],
    ['1-D · 3-D', [3], [2, 3, 4]],
    ['3-D · 1-D', [2, 3, 4], [4]],
  ])('%s', (_name, sa, sb) => {
    check((a, b) => matmul(a, b), [rnd(sa, 81), rnd(sb, 82)]);
  });

  it('with a transposed-view operand', () => {
    check((a, b) => matmul(a, b.transpose(0, 1)), [rnd([2, 3], 83), rnd([4, 3], 84)]);
    check((a, b) => matmul(a.t(), b), [rnd([3, 2], 85), rnd([3, 4], 86)]);
    check((a, b) => a.matmul(b.mT), [rnd([2, 3, 4], 87), rnd([2, 5, 4], 88)]);
  });

  it('with a sliced (strided) operand and the same operand on both sides', () => {
    check((a) => matmul(slice(a, 1, 0, null, 2), a), [rnd([3, 6], 89)]);
    check((a) => matmul(a, a), [rnd([3, 3], 90)]);
  });
});

describe('gradcheck: views and shape ops', () => {
  it.each<[string, number[], (x: Tensor) => Tensor]>([
    ['reshape', [2, 3, 4], (x) => reshape(x, [4, 6])],
    ['reshape with -1', [2, 3, 4], (x) => reshape(x, [3, -1])],
    ['reshape to 0-d and back', [1], (x) => reshape(x, []).mul(reshape(x, [1, 1]))],
    ['reshape of a transposed view (copies)', [3, 4], (x) => x.transpose(0, 1).reshape([-1])],
    ['view', [2, 3, 4], (x) => view(x, [6, 4])],
    ['view with -1 (method)', [2, 3, 4], (x) => x.view([-1, 2])],
    ['permute', [2, 3, 4], (x) => permute(x, [2, 0, 1])],
    ['permute with negative dims', [2, 3, 4], (x) => x.permute([-1, -3, -2])],
    ['transpose', [2, 3, 4], (x) => transpose(x, 0, 2)],
    ['transpose negative dims', [2, 3, 4], (x) => x.transpose(-1, -2)],
    ['t', [3, 4], (x) => x.t()],
    ['mT', [2, 3, 4], (x) => x.mT],
    ['expand [3,1] → [2,3,4]', [3, 1], (x) => expand(x, [2, 3, 4])],
    ['expand with -1', [1, 4], (x) => x.expand([3, -1])],
    ['expandAs', [4], (x) => x.expandAs(zeros([2, 4]))],
    ['flatten', [2, 3, 4], (x) => flatten(x)],
    ['flatten(1)', [2, 3, 4], (x) => flatten(x, 1)],
    ['flatten(0, 1) of a permuted view', [2, 3, 4], (x) => x.permute([1, 0, 2]).flatten(0, 1)],
    ['squeeze all', [2, 1, 3, 1], (x) => squeeze(x)],
    ['squeeze dim 1', [2, 1, 3, 1], (x) => squeeze(x, 1)],
    ['squeeze dim -1', [2, 1, 3, 1], (x) => x.squeeze(-1)],
    ['unsqueeze 0', [2, 3], (x) => unsqueeze(x, 0)],
    ['unsqueeze -1', [2, 3], (x) => x.unsqueeze(-1)],
    ['slice', [4, 6], (x) => slice(x, 1, 1, 5)],
    ['slice with step 2', [4, 6], (x) => slice(x, 1, 0, null, 2)],
    ['slice with negative start and step 2', [4, 7], (x) => slice(x, 1, -5, null, 2)],
    ['slice negative dim, negative end', [5, 3], (x) => x.slice(-2, -4, -1)],
    ['slice of a slice', [8, 3], (x) => x.slice(0, 1, null, 2).slice(0, 1, null, 2)],
    ['narrow', [4, 6], (x) => narrow(x, 1, 2, 3)],
    ['narrow negative start', [4, 6], (x) => x.narrow(0, -3, 2)],
    ['select', [3, 4], (x) => select(x, 0, 1)],
    ['select negative index and dim', [2, 3, 4], (x) => x.select(-1, -1)],
    ['contiguous of a transposed view', [3, 4], (x) => contiguous(x.transpose(0, 1))],
    ['contiguous of a contiguous tensor', [3, 4], (x) => x.contiguous().mul(x)],
    ['clone', [3, 4], (x) => clone(x)],
    ['clone (method) of a strided view', [4, 4], (x) => x.slice(0, 0, null, 2).clone()],
  ])('%s', (_name, shape, fn) => {
    check(fn, [rnd(shape, 91)]);
  });

  it('to(float32) and back (cast)', () => {
    // Float32 rounding makes tiny steps noisy; the function is linear, so a large step is exact.
    const x = rnd([3, 4], 92);
    check((t) => t.to('float32').to('float64'), [x], { eps: 1e-2, atol: 1e-4 });
    check((t) => cast(cast(t, 'float32'), 'float64').mul(t), [x], { eps: 1e-3, atol: 1e-3, rtol: 1e-2 });
    check((t) => t.float().double().sum(1), [x], { eps: 1e-2, atol: 1e-4 });
  });

  it('float32 intermediate mixed with float64', () => {
    const x = rnd([2, 3], 93);
    // mul(f32, f64) promotes back to float64.
    check((t) => mul(t.to('float32'), t), [x], { eps: 1e-3, atol: 1e-3, rtol: 1e-2 });
  });
});

describe('gradcheck: joins', () => {
  it('cat of 3 inputs along dim 1', () => {
    check((a, b, c) => cat([a, b, c], 1), [rnd([2, 1], 101), rnd([2, 3], 102), rnd([2, 2], 103)]);
  });

  it('cat along dim 0 and dim -1, with the same input twice', () => {
    check((a, b) => cat([a, b], 0), [rnd([2, 3], 104), rnd([1, 3], 105)]);
    check((a) => cat([a, a.mul(2), a], -1), [rnd([2, 3], 106)]);
  });

  it('stack along dims 0, 1 and -1', () => {
    const inputs = () => [rnd([2, 3], 107), rnd([2, 3], 108)];
    check((a, b) => stack([a, b]), inputs());
    check((a, b) => stack([a, b], 1), inputs());
    check((a, b) => stack([a, b, a], -1), inputs());
  });

  it('split by size: each piece summed times a different constant', () => {
    check(
      (x) =>
        split(x, 2, 1)
          .map((p, i) => p.sum().mul(i + 1))
          .reduce((s, t) => s.add(t)),
      [rnd([3, 5], 109)],
    );
  });

  it('split by sections: each piece summed times a different constant', () => {
    check(
      (x) =>
        x
          .split([1, 3, 1], 1)
          .map((p, i) => p.sum().mul(3 * i - 2))
          .reduce((s, t) => s.add(t)),
      [rnd([3, 5], 110)],
    );
  });

  it('split pieces as multiple outputs (some unused in the graph)', () => {
    check((x) => split(x, [2, 2], 0), [rnd([4, 3], 111)]);
    check((x) => [split(x, 1, 0)[2].exp()], [rnd([4, 3], 112)]);
  });

  it('chunk', () => {
    check((x) => chunk(x, 3, 0).map((p, i) => p.mul(i + 0.5).sum()), [rnd([7, 2], 113)]);
    check(
      (x) =>
        x
          .chunk(2, -1)
          .map((p, i) => p.sum().mul(i - 2))
          .reduce((s, t) => s.add(t)),
      [rnd([2, 5], 114)],
    );
  });
});

describe('gradcheck: indexing', () => {
  it('indexSelect with repeated indices (gradients accumulate)', () => {
    const index = int32([0, 2, 0, 1, 2, 2]);
    check((x) => indexSelect(x, 0, index), [rnd([3, 4], 121)]);
    check((x) => x.indexSelect(1, index), [rnd([2, 3], 122)]);
    check((x) => indexSelect(x, -1, int32([3, 3, 0])), [rnd([2, 2, 4], 123)]);
  });

  it('gather with repeated indices along dims 0 and 1', () => {
    check(
      (x) =>
        gather(
          x,
          1,
          int32([
            [0, 0, 2],
            [1, 0, 1],
          ]),
        ),
      [rnd([2, 3], 124)],
    );
    check(
      (x) =>
        x.gather(
          0,
          int32([
            [2, 0, 2],
            [2, 2, 1],
          ]),
        ),
      [rnd([3, 3], 125)],
    );
  });

  it('scatterAdd: gradient w.r.t. both base and src', () => {
    const index = int32([
      [0, 2, 0, 1],
      [3, 3, 1, 3],
    ]);
    check((base, src) => scatterAdd(base, 1, index, src), [rnd([2, 4], 126), rnd([2, 4], 127)]);
    check((base, src) => base.scatterAdd(0, int32([[1, 0, 1]]), src), [rnd([2, 3], 128), rnd([1, 3], 129)]);
  });

  it('indexAdd: gradient w.r.t. both base and src (repeated indices)', () => {
    const index = int32([1, 0, 1]);
    check((base, src) => indexAdd(base, 0, index, src), [rnd([2, 4], 130), rnd([3, 4], 131)]);
    check((base, src) => base.indexAdd(1, int32([2, 2]), src), [rnd([3, 4], 132), rnd([3, 2], 133)]);
  });

  it.each<[string, (x: Tensor) => Tensor]>([
    ['tril', (x) => tril(x)],
    ['tril diagonal 1', (x) => tril(x, 1)],
    ['tril diagonal -1', (x) => tril(x, -1)],
    ['triu', (x) => triu(x)],
    ['triu diagonal 1', (x) => triu(x, 1)],
    ['triu diagonal -1', (x) => x.triu(-1)],
    ['tril of a batch', (x) => x.reshape([2, 2, 4]).tril()],
  ])('%s', (_name, fn) => {
    check(fn, [rnd([4, 4], 134)]);
  });
});

describe('gradcheck: non-contiguous operands (strided views inside fn)', () => {
  it.each<[string, number[], (x: Tensor) => Tensor | Tensor[]]>([
    ['unary on a step-2 slice', [4, 6], (x) => x.slice(1, 1, null, 2).tanh()],
    [
      'binary of a transposed view and the original',
      [3, 3],
      (x) => x.transpose(0, 1).mul(x).add(x.mT.sigmoid()),
    ],
    [
      'binary of a transposed view and a broadcast row',
      [3, 4],
      (x) => x.t().div(x.select(0, 0).unsqueeze(-1).abs().add(1)),
    ],
    ['sum over dims of a permuted view', [2, 3, 4], (x) => x.permute([2, 0, 1]).sum([0, 1])],
    ['mean/variance of a transposed view', [3, 4], (x) => [x.t().mean(1), x.t().var(0, { correction: 0 })]],
    [
      'amax/amin of a permuted view',
      [2, 3, 4],
      (x) => [x.permute([1, 2, 0]).amax(1), x.permute([2, 1, 0]).amin([0, 2])],
    ],
    ['max/min with dim of a transposed view', [3, 4], (x) => [x.t().max(1)[0], x.t().min(0, true)[0]]],
    ['softmax/logSoftmax of a transposed view', [3, 4], (x) => [x.t().softmax(1), x.t().logSoftmax(0)]],
    ['cat of transposed views', [3, 2], (x) => cat([x.t(), x.t().exp()], 1)],
    [
      'gather from a transposed view',
      [3, 2],
      (x) =>
        x.t().gather(
          1,
          int32([
            [2, 0],
            [1, 1],
          ]),
        ),
    ],
    [
      'indexSelect from a step-2 slice',
      [6, 3],
      (x) => x.slice(0, 0, null, 2).indexSelect(1, int32([2, 2, 0])),
    ],
    [
      'scatterAdd into a transposed base',
      [3, 2],
      (x) =>
        scatterAdd(
          x.t(),
          1,
          int32([
            [0, 2],
            [1, 1],
          ]),
          x.narrow(0, 0, 2).mul(3),
        ),
    ],
    [
      'indexAdd into a sliced base',
      [4, 3],
      (x) => indexAdd(x.slice(0, 1), 0, int32([2, 0]), x.narrow(0, 0, 2)),
    ],
    ['tril of a transposed view', [3, 4], (x) => x.t().tril()],
    ['where with transposed branches', [3, 3], (x) => where(bool([true, false, true]), x.t(), x.neg())],
    ['expand of a select', [3, 4], (x) => x.select(1, 2).unsqueeze(0).expand([2, 3])],
  ])('%s', (_name, shape, fn) => {
    check(fn, [rnd(shape, 171)]);
  });
});

describe('gradcheck: compositions', () => {
  it('2-layer MLP: matmul + bias broadcast + tanh + logSoftmax', () => {
    const inputs = [rnd([4, 3], 141), rnd([3, 5], 142), rnd([5], 143), rnd([5, 2], 144), rnd([2], 145)];
    check((x, w1, b1, w2, b2) => logSoftmax(tanh(matmul(x, w1).add(b1)).matmul(w2).add(b2), -1), inputs);
  });

  it('MLP loss: mean negative log-likelihood through gather', () => {
    const targets = int32([[1], [0], [1], [1]]);
    const inputs = [rnd([4, 3], 146), rnd([3, 5], 147), rnd([5], 148), rnd([5, 2], 149), rnd([2], 150)];
    check((x, w1, b1, w2, b2) => {
      const logits = gelu(x.matmul(w1).add(b1)).matmul(w2).add(b2);
      return logSoftmax(logits, 1).gather(1, targets).mean().neg();
    }, inputs);
  });

  it('unrolled 5-step recurrence h = tanh(x_t W + h U) sharing W and U', () => {
    const steps = 5;
    const inputs = [rnd([steps, 2, 3], 151), rnd([3, 4], 152), rnd([4, 4], 153), rnd([2, 4], 154)];
    check((xs, w, u, h0) => {
      let h = h0;
      const outs: Tensor[] = [];
      for (let t = 0; t < steps; t++) {
        h = tanh(matmul(xs.select(0, t), w).add(matmul(h, u)));
        outs.push(h);
      }
      return [h, stack(outs).mean(0)];
    }, inputs);
  });

  it('layer norm built from mean/variance/rsqrt', () => {
    check(
      (x, gamma, beta) => {
        const mu = x.mean(-1, true);
        const v = x.var(-1, { correction: 0, keepdim: true });
        return x.sub(mu).mul(v.add(1e-5).rsqrt()).mul(gamma).add(beta);
      },
      [rnd([3, 5], 155), rnd([5], 156), rnd([5], 157)],
    );
  });
});

describe('gradcheck itself', () => {
  it('throws DTypeError for a float32 input that requires grad', () => {
    const x = randn([3], { dtype: 'float32', requiresGrad: true, generator: new Generator(161) });
    expect(() => gradcheck((t) => t.mul(2), [x])).toThrow(DTypeError);
  });

  it('throws GradcheckError when no output requires grad', () => {
    const x = rnd([3], 162);
    expect(() => gradcheck((t) => t.detach().mul(2), [x])).toThrow(GradcheckError);
    expect(() => gradcheck(() => zeros([2], { dtype: 'float64' }), [x])).toThrow(GradcheckError);
  });

  it('catches a wrong gradient: a detached factor hides half of d(x²)', () => {
    const x = positive([4], 163);
    expect(() => gradcheck((t) => t.mul(t.detach()), [x])).toThrow(GradcheckError);
    expect(() => gradcheck((t) => t.mul(t.detach()), [x])).toThrow(/gradient mismatch for input 0/);
  });

  it('catches a wrong gradient: a function that differs between grad and no-grad mode', () => {
    const x = rnd([3], 164);
    expect(() => gradcheck((t) => t.mul(isGradEnabled() ? 2 : 3), [x])).toThrow(GradcheckError);
  });

  it('skips inputs that do not require grad and ignores non-float outputs', () => {
    const constant = randn([3], { dtype: 'float64', generator: new Generator(165) });
    check((x, c) => [x.mul(c), x.gt(0)], [rnd([3], 166), constant]);
  });
});
