/**
 * The fused update loops (src/kernels.ts) against the composed tensor ops, which the PyTorch fixtures pin. A
 * contiguous float32 parameter takes the fused path, which updates its state buffers in place (they keep their
 * identity); a strided view takes the composed path, which makes new buffers every step. Running both on the same
 * random data and comparing every bit checks each loop against the ops it replaces; replaying the fixtures checks
 * the loops against PyTorch directly.
 */
import {
  Adagrad,
  Adam,
  AdamW,
  clipGradNorm,
  clipGradValue,
  type Optimizer,
  RMSprop,
  SGD,
} from '@tensorloom/optim';
import { Generator, randn, Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { fixture, fromSpec, num, type OptimizerCase } from './fixture.js';

const SHAPES = [[7, 5], [16], [1, 9], [3, 1, 4], [40, 50]];

/** The same values as a strided view at offset 1: every other element of a longer storage, NaN in between. */
function strided(t: Tensor): Tensor {
  const values = t.dataSync();
  const data = new Float32Array(2 * values.length + 1).fill(Number.NaN);
  values.forEach((v, i) => {
    data[1 + 2 * i] = v;
  });
  const strides = t.shape.map((_, d) => 2 * t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return new Tensor(data, t.shape, strides, 1);
}

/** The first element where two tensors differ as values (±0 differ, NaN equals NaN), or -1. */
function firstDifference(got: Tensor, want: Tensor): number {
  const a = got.dataSync();
  const b = want.dataSync();
  expect(a.length).toBe(b.length);
  return Array.from(a).findIndex((v, i) => !Object.is(v, b[i]));
}

const tensorsOf = (state: object | undefined): [string, Tensor][] =>
  Object.entries(state ?? {}).filter((e): e is [string, Tensor] => e[1] instanceof Tensor);

type Make = (params: Tensor[]) => Optimizer;
const cases: [string, Make][] = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.1 })],
  [
    'SGD, momentum, dampening, weight decay',
    (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 }),
  ],
  [
    'SGD, Nesterov, maximize',
    (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true }),
  ],
  ['Adam', (ps) => new Adam(ps, { lr: 1e-2 })],
  [
    'Adam, L2, AMSGrad, maximize',
    (ps) =>
      new Adam(ps, {
        lr: 1e-2,
        betas: [0.8, 0.95],
        eps: 1e-6,
        weightDecay: 0.1,
        amsgrad: true,
        maximize: true,
      }),
  ],
  ['AdamW', (ps) => new AdamW(ps, { lr: 1e-2, weightDecay: 0.1 })],
  ['AdamW, AMSGrad, maximize', (ps) => new AdamW(ps, { lr: 3e-2, amsgrad: true, maximize: true })],
  ['RMSprop', (ps) => new RMSprop(ps, { lr: 1e-2 })],
  [
    'RMSprop, centered, momentum, weight decay',
    (ps) => new RMSprop(ps, { lr: 1e-2, alpha: 0.9, centered: true, momentum: 0.9, weightDecay: 0.01 }),
  ],
  ['RMSprop, centered, maximize', (ps) => new RMSprop(ps, { lr: 1e-2, centered: true, maximize: true })],
  ['RMSprop, momentum', (ps) => new RMSprop(ps, { lr: 1e-2, momentum: 0.5 })],
  ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.1 })],
  [
    'Adagrad, lrDecay, weight decay, initial accumulator, maximize',
    (ps) =>
      new Adagrad(ps, {
        lr: 0.1,
        lrDecay: 0.01,
        weightDecay: 0.05,
        initialAccumulatorValue: 0.1,
        maximize: true,
      }),
  ],
];

describe('fused loops match the composed ops bit for bit', () => {
  it.each(cases)('%s', (name, make) => {
    const gen = new Generator(20240612);
    const init = SHAPES.map((s) => randn(s, { generator: gen }));
    init[0].data.set([0, -0, 1e-30, -3e4]); // zeros of both signs, a tiny and a large weight
    const fusedParams = init.map((t) => t.clone().requiresGrad_());
    const composedParams = init.map((t) => strided(t).requiresGrad_());
    const fused = make(fusedParams);
    const composed = make(composedParams);
    for (let step = 1; step <= 6; step++) {
      const grads = SHAPES.map((s) => randn(s, { generator: gen }).mul(0.1 * step));
      grads[0].data.set([0, -0, 5e-39, 1e3]); // a subnormal and a large gradient
      if (step === 4) {
        fused.paramGroups[0].lr *= 0.5; // as a scheduler would
        composed.paramGroups[0].lr *= 0.5;
      }
      grads.forEach((g, i) => {
        const missing = step === 3 && i === 1; // skipped this step, on both paths
        fusedParams[i].grad = missing ? null : step === 5 ? strided(g) : g; // a strided grad is copied, still fused
        composedParams[i].grad = missing ? null : g.clone();
      });
      const before = fusedParams.map((p) => tensorsOf(fused.state.get(p)));
      const composedBefore = composedParams.map((p) => tensorsOf(composed.state.get(p)));
      fused.step();
      composed.step();
      fusedParams.forEach((p, i) => {
        const q = composedParams[i];
        expect(firstDifference(p, q), `${name}: param ${i} after step ${step}`).toBe(-1);
        const mine = fused.state.get(p) as Record<string, unknown>;
        const theirs = composed.state.get(q) as Record<string, unknown>;
        expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
        for (const [key, value] of Object.entries(mine)) {
          if (value instanceof Tensor) {
            const where = `${name}: state ${key} of param ${i} after step ${step}`;
            expect(firstDifference(value, theirs[key] as Tensor), where).toBe(-1);
          } else expect(value).toEqual(theirs[key]);
        }
        const skipped = p.grad === null;
        // The fused path updated the buffers in place; the composed path replaced them.
        for (const [key, t] of before[i]) expect(mine[key] === t, `${key} kept`).toBe(true);
        for (const [key, t] of composedBefore[i]) expect(theirs[key] === t, `${key} kept`).toBe(skipped);
      });
    }
  });

  it('float64 parameters take the composed path', () => {
    const p = tensor([1, -2, 3], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = tensor([0.5, 0.25, -1], { dtype: 'float64' });
    opt.step();
    const m = opt.state.get(p)?.expAvg;
    opt.step();
    expect(opt.state.get(p)?.expAvg).not.toBe(m);
    expect(p.dtype).toBe('float64');
  });

  it('a parameter viewing part of a larger storage (an offset) is updated there and nowhere else', () => {
    const storage = new Float32Array(20).fill(7);
    storage.set([0.5, -1, 2, 0.25, 1, 1, -3, 4, 0.125, -0.5, 6, 8], 5);
    const p = new Tensor(storage, [3, 4], undefined, 5).requiresGrad_();
    const q = new Tensor(storage.slice(5, 17), [3, 4]).requiresGrad_(); // the same values, storage of its own
    const g = randn([3, 4], { generator: new Generator(1) });
    p.grad = g;
    q.grad = g;
    const a = new Adam([p], { lr: 0.1, amsgrad: true });
    const b = new Adam([q], { lr: 0.1, amsgrad: true });
    for (let k = 0; k < 3; k++) {
      a.step();
      b.step();
    }
    expect(firstDifference(p, q)).toBe(-1);
    expect([...storage.subarray(0, 5), ...storage.subarray(17)]).toEqual(Array(8).fill(7));
  });
});

const constructors: Record<OptimizerCase['optimizer'], new (params: any, options: any) => Optimizer> = {
  SGD,
  Adam,
  AdamW,
  RMSprop,
  Adagrad,
};

describe('fused loops match PyTorch bit for bit (fixtures/optim.json)', () => {
  it.each(fixture.optimizers.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = c.params.map((p) => fromSpec(p, true));
    const spec = c.groups?.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) ?? params;
    const opt = new constructors[c.optimizer](spec, c.options);
    c.steps.forEach((step, k) => {
      params.forEach((p, i) => {
        const g = step.grads[i];
        p.grad = g === null ? null : fromSpec(g);
      });
      const before = params.map((p) => tensorsOf(opt.state.get(p)));
      opt.step();
      params.forEach((p, i) => {
        const want = tensor(step.params[i].data.map(num), { shape: step.params[i].shape });
        expect(firstDifference(p, want), `param ${i} after step ${k + 1}`).toBe(-1);
        for (const [key, t] of before[i]) expect((opt.state.get(p) as Record<string, unknown>)[key]).toBe(t);
      });
    });
  });
});

describe('clipping in place', () => {
  const gradsFor = (make: (t: Tensor) => Tensor) => {
    const gen = new Generator(3);
    return SHAPES.map((s) => {
      const p = tensor(0, { dtype: 'float32', requiresGrad: true });
      p.grad = make(randn(s, { generator: gen }).mul(2));
      return p;
    });
  };

  it.each([1, 2, 3, Number.POSITIVE_INFINITY])(
    'clipGradNorm (p = %s): contiguous and strided gradients give the same norm and values',
    (p) => {
      const flat = gradsFor((t) => t);
      const views = gradsFor(strided);
      const total = clipGradNorm(flat, 1.5, p);
      expect(Object.is(clipGradNorm(views, 1.5, p), total)).toBe(true);
      expect(total).toBeGreaterThan(1.5);
      flat.forEach((q, i) => {
        expect(firstDifference(q.grad!, views[i].grad!)).toBe(-1);
      });
    },
  );

  it('clipGradNorm leaves gradients under the limit untouched, and keeps their storage', () => {
    const params = gradsFor((t) => t);
    const storage = params.map((q) => q.grad!.data);
    const copies = params.map((q) => q.grad!.clone());
    clipGradNorm(params, 1e6);
    params.forEach((q, i) => {
      expect(q.grad!.data).toBe(storage[i]);
      expect(firstDifference(q.grad!, copies[i])).toBe(-1);
    });
  });

  it('clipGradValue: contiguous and strided gradients give the same values; NaN stays', () => {
    const flat = gradsFor((t) => t);
    const views = gradsFor(strided);
    flat[0].grad!.data[0] = Number.NaN;
    views[0].grad!.data[1] = Number.NaN;
    clipGradValue(flat, 0.7);
    clipGradValue(views, 0.7);
    flat.forEach((q, i) => {
      expect(firstDifference(q.grad!, views[i].grad!)).toBe(-1);
    });
    expect(flat[0].grad!.dataSync()[0]).toBeNaN();
    expect(Math.max(...flat[1].grad!.dataSync().map(Math.abs))).toBe(Math.fround(0.7));
  });
});

describe('zeroGrad(false)', () => {
  it('zero-fills only the gradient, whether it is contiguous at an offset or strided', () => {
    const storage = new Float32Array(10).fill(7);
    const a = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const b = tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    a.grad = new Tensor(storage, [3], undefined, 2);
    b.grad = strided(tensor([4, 5, 6], { dtype: 'float32' }));
    new SGD([a, b], { lr: 0.1 }).zeroGrad(false);
    expect(Array.from(storage)).toEqual([7, 7, 0, 0, 0, 7, 7, 7, 7, 7]);
    expect(Array.from(b.grad.dataSync())).toEqual([0, 0, 0]);
  });
});
