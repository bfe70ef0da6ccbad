/**
 * @file Initialisation: the layers' default inits follow PyTorch's distributions, and each init function has
 * PyTorch's bounds and spread. Statistical checks use large tensors, a fixed generator and tolerances of
 * five standard errors for the sample size, so they are deterministic and far from flaky.
 */
import { Embedding, init, LayerNorm, Linear } from '@tensorloom/nn';
import { Generator, manualSeed, type Tensor, TensorloomError, tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

interface Stats {
  n: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

function stats(t: Tensor): Stats {
  const v = t.dataSync();
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  return { n: v.length, min, max, mean, std: Math.sqrt(sq / v.length) };
}

const Z = 5; // standard errors allowed

/** U(−bound, bound): inside the bounds, reaching close to both ends, mean 0, std bound/√3, flat. */
function expectUniform(t: Tensor, lo: number, hi: number): void {
  const s = stats(t);
  const width = hi - lo;
  const sigma = width / Math.sqrt(12);
  // Stored as float32: allow the bounds' own rounding.
  expect(s.min).toBeGreaterThanOrEqual(Math.fround(lo) - 1e-7 * Math.abs(lo));
  expect(s.max).toBeLessThanOrEqual(Math.fround(hi) + 1e-7 * Math.abs(hi));
  // The n draws leave gaps of about width/n at the ends; 20/n is already a e^-20 event.
  expect(s.min - lo).toBeLessThan((20 * width) / s.n);
  expect(hi - s.max).toBeLessThan((20 * width) / s.n);
  expect(Math.abs(s.mean - (lo + hi) / 2)).toBeLessThan((Z * sigma) / Math.sqrt(s.n));
  // Sample std of a uniform: relative standard error √(0.8/n)/2 ≈ 0.45/√n.
  expect(Math.abs(s.std / sigma - 1)).toBeLessThan((Z * 0.45) / Math.sqrt(s.n));
  // Flat: half the mass in the middle half of the interval (binomial standard error).
  const middle = Array.from(t.dataSync()).filter((x) => Math.abs(x - (lo + hi) / 2) < width / 4).length;
  expect(Math.abs(middle / s.n - 0.5)).toBeLessThan((Z * 0.5) / Math.sqrt(s.n));
}

/** N(mean, std²): sample mean within Z·std/√n, sample std within Z·std/√(2n), 68% within one std. */
function expectNormal(t: Tensor, mean: number, std: number): void {
  const s = stats(t);
  expect(Math.abs(s.mean - mean)).toBeLessThan((Z * std) / Math.sqrt(s.n));
  expect(Math.abs(s.std / std - 1)).toBeLessThan(Z / Math.sqrt(2 * s.n));
  const inside = Array.from(t.dataSync()).filter((x) => Math.abs(x - mean) < std).length / s.n;
  expect(Math.abs(inside - 0.6827)).toBeLessThan(Z * Math.sqrt((0.6827 * 0.3173) / s.n));
}

const gen = (seed = 42) => ({ generator: new Generator(seed) });

describe("layers' default init (PyTorch's)", () => {
  it('Linear: weight and bias ~ U(±1/√inFeatures)', () => {
    manualSeed(0);
    const layer = new Linear(9, 30000); // 270 000 weights, 30 000 biases, bound 1/3
    expectUniform(layer.weight, -1 / 3, 1 / 3);
    expectUniform(layer.bias!, -1 / 3, 1 / 3);
    const wide = new Linear(400, 50); // bound 0.05
    expect(stats(wide.weight).max).toBeLessThanOrEqual(Math.fround(0.05));
    expect(stats(wide.weight).min).toBeGreaterThanOrEqual(-Math.fround(0.05));
    expect(stats(wide.bias!).max).toBeLessThanOrEqual(Math.fround(0.05));
  });

  it('Embedding: weight ~ N(0, 1), with the padding row exactly zero', () => {
    manualSeed(0);
    expectNormal(new Embedding(1000, 64).weight, 0, 1);
    for (const [paddingIdx, row] of [
      [3, 3],
      [-1, 9],
    ]) {
      const layer = new Embedding(10, 16, { paddingIdx });
      expect(layer.paddingIdx).toBe(row);
      expect(Array.from(layer.weight.select(0, row).dataSync())).toEqual(Array(16).fill(0));
      const others = Array.from(layer.weight.dataSync()).filter((_, i) => Math.floor(i / 16) !== row);
      expect(others.every((x) => x !== 0)).toBe(true);
    }
  });

  it('LayerNorm: weight ones, bias zeros; none without elementwiseAffine; no bias with bias: false', () => {
    const layer = new LayerNorm([3, 4]);
    expect(layer.weight!.toArray()).toEqual(Array(3).fill(Array(4).fill(1)));
    expect(layer.bias!.toArray()).toEqual(Array(3).fill(Array(4).fill(0)));
    expect(new LayerNorm(4, { elementwiseAffine: false }).namedParameters()).toEqual([]);
    expect(new LayerNorm(4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('is reproducible after manualSeed', () => {
    manualSeed(11);
    const a = [new Linear(3, 4), new Embedding(5, 2)];
    manualSeed(11);
    const b = [new Linear(3, 4), new Embedding(5, 2)];
    for (const [i, m] of a.entries()) expect(m.stateDict()).toEqual(b[i].stateDict());
  });
});

describe('init functions', () => {
  it('uniform_ and normal_', () => {
    expectUniform(init.uniform_(zeros([200000]), -2, 3, gen()), -2, 3);
    expectUniform(init.uniform_(zeros([100000]), 0, 1, gen()), 0, 1); // defaults a = 0, b = 1
    expectNormal(init.normal_(zeros([200000]), 1.5, 0.25, gen()), 1.5, 0.25);
    expectNormal(init.normal_(zeros([100000]), undefined, undefined, gen()), 0, 1);
  });

  it('constant_, zeros_, ones_ fill every element', () => {
    expect(init.constant_(zeros([2, 3]), 0.5).toArray()).toEqual([
      [0.5, 0.5, 0.5],
      [0.5, 0.5, 0.5],
    ]);
    expect(Array.from(init.zeros_(tensor([1, 2, 3], { dtype: 'float32' })).dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(init.ones_(zeros([4])).dataSync())).toEqual([1, 1, 1, 1]);
  });

  it('xavierUniform_: U(±gain·√(6/(fanIn+fanOut)))', () => {
    const bound = 1 * Math.sqrt(6 / (300 + 400));
    expectUniform(init.xavierUniform_(zeros([300, 400]), undefined, gen()), -bound, bound);
    const gained = 2 * Math.sqrt(6 / (300 + 400));
    expectUniform(init.xavierUniform_(zeros([400, 300]), 2, gen()), -gained, gained);
  });

  it('xavierNormal_: N(0, gain²·2/(fanIn+fanOut)), fans including the receptive field', () => {
    expectNormal(init.xavierNormal_(zeros([300, 400]), undefined, gen()), 0, Math.sqrt(2 / 700));
    // [out, in, kh, kw]: fanIn = 16·9, fanOut = 64·9
    expectNormal(
      init.xavierNormal_(zeros([64, 16, 9, 9]), 0.5, gen()),
      0,
      0.5 * Math.sqrt(2 / (16 * 81 + 64 * 81)),
    );
  });

  it('kaimingUniform_: U(±gain·√(3/fan)); defaults a = 0, fanIn, leaky_relu (gain √2)', () => {
    const t = zeros([300, 500]); // fanIn 500, fanOut 300
    expectUniform(init.kaimingUniform_(t, gen()), -Math.sqrt(6 / 500), Math.sqrt(6 / 500));
    const fanOut = Math.sqrt(2) * Math.sqrt(3 / 300);
    expectUniform(
      init.kaimingUniform_(t, { mode: 'fanOut', nonlinearity: 'relu', ...gen() }),
      -fanOut,
      fanOut,
    );
    // a = √5 is Linear's init: gain √(2/6), bound 1/√fanIn.
    expectUniform(
      init.kaimingUniform_(t, { a: Math.sqrt(5), ...gen() }),
      -1 / Math.sqrt(500),
      1 / Math.sqrt(500),
    );
    const tanh = (5 / 3) * Math.sqrt(3 / 500);
    expectUniform(init.kaimingUniform_(t, { nonlinearity: 'tanh', ...gen() }), -tanh, tanh);
  });

  it('kaimingNormal_: N(0, gain²/fan)', () => {
    const t = zeros([64, 16, 3, 3]); // fanIn 144, fanOut 576; 9216 elements
    expectNormal(init.kaimingNormal_(zeros([400, 500]), gen()), 0, Math.sqrt(2 / 500));
    expectNormal(
      init.kaimingNormal_(t, { mode: 'fanOut', nonlinearity: 'relu', ...gen() }),
      0,
      Math.sqrt(2 / 576),
    );
    const leaky = Math.sqrt(2 / (1 + 0.2 ** 2)) / Math.sqrt(144);
    expectNormal(init.kaimingNormal_(t, { a: 0.2, ...gen() }), 0, leaky);
  });

  it("calculateGain matches PyTorch's calculate_gain", () => {
    // Values printed by torch.nn.init.calculate_gain (torch 1.13); √2 = 1.4142135623730951.
    const expected: [init.Nonlinearity, number | undefined, number][] = [
      ['linear', undefined, 1],
      ['conv1d', undefined, 1],
      ['conv2d', undefined, 1],
      ['sigmoid', undefined, 1],
      ['tanh', undefined, 1.6666666666666667],
      ['relu', undefined, Math.SQRT2],
      ['leaky_relu', undefined, 1.4141428569978354],
      ['leaky_relu', 0.2, 1.3867504905630728],
      ['leaky_relu', 0, Math.SQRT2],
      ['selu', undefined, 0.75],
    ];
    for (const [nonlinearity, param, gain] of expected) {
      expect(init.calculateGain(nonlinearity, param), `${nonlinearity}(${param})`).toBeCloseTo(gain, 14);
    }
    expect(() => init.calculateGain('softplus' as init.Nonlinearity)).toThrow(
      "calculateGain: unsupported nonlinearity 'softplus'",
    );
  });

  it('computeFans: [out, in] and [out, in, …receptive field]', () => {
    expect(init.computeFans(zeros([3, 5]))).toEqual({ fanIn: 5, fanOut: 3 });
    expect(init.computeFans(zeros([64, 16, 3, 3]))).toEqual({ fanIn: 144, fanOut: 576 });
    expect(init.computeFans(zeros([8, 4, 5]))).toEqual({ fanIn: 20, fanOut: 40 });
  });
});

describe('orthogonal_', () => {
  /** Gram matrix of the rows (QQᵀ) or of the columns (QᵀQ) of a [rows, cols] matrix. */
  function gram(t: Tensor, of: 'rows' | 'cols'): number[][] {
    const [rows] = t.shape;
    const cols = t.size / rows;
    const q = t.reshape([rows, cols]);
    return (of === 'rows' ? q.matmul(q.t()) : q.t().matmul(q)).toArray() as number[][];
  }
  const identity = (n: number, scale: number) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? scale : 0)));

  it.each([
    ['tall [8, 5]', [8, 5], 'cols', 5],
    ['square [6, 6]', [6, 6], 'cols', 6],
    ['wide [5, 8]', [5, 8], 'rows', 5],
    ['3-d [4, 2, 3] flattened to [4, 6]', [4, 2, 3], 'rows', 4],
    ['tall 3-d [12, 2, 2]', [12, 2, 2], 'cols', 4],
  ] as const)('%s: orthonormal %s', (_, shape, of, n) => {
    expect(gram(init.orthogonal_(zeros([...shape]), 1, gen()), of)).toBeAllClose(identity(n, 1), {
      atol: 1e-6,
    });
  });

  it('scales by gain (QᵀQ = gain²·I), square matrices both ways, float64 to round-off', () => {
    expect(gram(init.orthogonal_(zeros([7, 3]), 2, gen()), 'cols')).toBeAllClose(identity(3, 4), {
      atol: 1e-5,
    });
    expect(gram(init.orthogonal_(zeros([3, 7]), 0.5, gen()), 'rows')).toBeAllClose(identity(3, 0.25), {
      atol: 1e-6,
    });
    const square = init.orthogonal_(zeros([16, 16], { dtype: 'float64' }), 1, gen());
    expect(gram(square, 'rows')).toBeAllClose(identity(16, 1), { atol: 1e-12 });
    expect(gram(square, 'cols')).toBeAllClose(identity(16, 1), { atol: 1e-12 });
  });
});

describe('determinism, in-place use and errors', () => {
  const fills: [string, (t: Tensor, g: { generator: Generator }) => Tensor][] = [
    ['uniform_', (t, g) => init.uniform_(t, -1, 1, g)],
    ['normal_', (t, g) => init.normal_(t, 0, 1, g)],
    ['xavierUniform_', (t, g) => init.xavierUniform_(t, 1, g)],
    ['xavierNormal_', (t, g) => init.xavierNormal_(t, 1, g)],
    ['kaimingUniform_', (t, g) => init.kaimingUniform_(t, g)],
    ['kaimingNormal_', (t, g) => init.kaimingNormal_(t, g)],
    ['orthogonal_', (t, g) => init.orthogonal_(t, 1, g)],
  ];

  it.each(fills)('%s: same seed, same values; another seed, other values', (_, fill) => {
    const a = fill(zeros([6, 4]), gen(5)).dataSync();
    expect(fill(zeros([6, 4]), gen(5)).dataSync()).toEqual(a);
    expect(fill(zeros([6, 4]), gen(6)).dataSync()).not.toEqual(a);
  });

  it('without a generator they draw from the default one, seeded by manualSeed', () => {
    manualSeed(3);
    const a = init.xavierUniform_(zeros([4, 4])).dataSync();
    manualSeed(3);
    expect(init.xavierUniform_(zeros([4, 4])).dataSync()).toEqual(a);
    expect(init.xavierUniform_(zeros([4, 4])).dataSync()).not.toEqual(a);
  });

  it.each(fills)('%s: fills a parameter in place, outside the graph', (_, fill) => {
    const layer = new Linear(4, 6);
    const weight = layer.weight;
    const before = Array.from(weight.dataSync());
    expect(fill(weight, gen())).toBe(weight);
    expect(layer.weight).toBe(weight);
    expect(Array.from(weight.dataSync())).not.toEqual(before);
    expect(weight.requiresGrad).toBe(true);
    expect(weight.isLeaf).toBe(true);
    expect(weight.gradFn).toBeNull();
  });

  it('fan-based inits and orthogonal_ reject tensors with fewer than 2 dims', () => {
    const fanError = 'init: fan in and fan out need a tensor with at least 2 dims (got [5])';
    expect(() => init.computeFans(zeros([5]))).toThrow(fanError);
    expect(() => init.xavierUniform_(zeros([5]))).toThrow(fanError);
    expect(() => init.xavierNormal_(zeros([5]))).toThrow(TensorloomError);
    expect(() => init.kaimingUniform_(zeros([5]))).toThrow(fanError);
    expect(() => init.kaimingNormal_(zeros([]))).toThrow('(got [])');
    expect(() => init.orthogonal_(zeros([5]))).toThrow(
      'orthogonal_: only tensors with 2 or more dims are supported (got [5])',
    );
  });
});

describe('init option validation', () => {
  it("rejects a kaiming mode other than 'fanIn'/'fanOut' (e.g. PyTorch's spelling)", () => {
    expect(() => init.kaimingUniform_(zeros([3, 4]), { mode: 'fan_in' as never })).toThrow(
      "kaiming: mode must be 'fanIn' or 'fanOut' (got 'fan_in')",
    );
  });

  it('rejects random init of integer tensors', () => {
    expect(() => init.uniform_(zeros([3], { dtype: 'int32' }))).toThrow(
      'init: random initialisers need a floating-point tensor (got int32)',
    );
  });
});
