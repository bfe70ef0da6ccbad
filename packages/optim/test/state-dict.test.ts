/**
 * State dicts: N steps, save, a fresh optimizer (and scheduler) loads the state, M more steps — must equal
 * N + M uninterrupted steps bit for bit, directly and after a JSON round trip.
 */
import {
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  LinearLR,
  OptimError,
  type Optimizer,
  type OptimizerStateDict,
  ReduceLROnPlateau,
  RMSprop,
  SequentialLR,
  SGD,
  StepLR,
} from '@tensorloom/optim';
import { type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const SHAPES = [[2, 3], [4], [17]];
const N = 4;
const M = 5;

const initialParams = (): Tensor[] =>
  SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: size }, (_, j) => Math.cos(0.9 * j + 2.1 * i));
    return tensor(data, { shape, dtype: 'float32', requiresGrad: true });
  });

/** Deterministic gradients; param 1 has none on steps 2 and 6 (and is never stepped at step 2). */
function setGrads(params: Tensor[], step: number): void {
  params.forEach((p, i) => {
    if (i === 1 && (step === 2 || step === 6)) {
      p.grad = null;
      return;
    }
    const data = Array.from(
      { length: p.size },
      (_, j) => Math.sin(1.3 * step + 0.7 * j + i) * (1 + (step % 3)),
    );
    p.grad = tensor(data, { shape: p.shape, dtype: 'float32' });
  });
}

type Factory = (params: Tensor[]) => Optimizer<any, any>;

/** Two groups with different lrs and options, per optimizer. */
const factories: Record<string, Factory> = {
  'SGD nesterov': (p) =>
    new SGD(
      [
        { params: [p[0]], lr: 0.05 },
        { params: [p[1], p[2]], weightDecay: 0.01 },
      ],
      { lr: 0.1, momentum: 0.9, nesterov: true },
    ),
  'Adam amsgrad': (p) =>
    new Adam(
      [
        { params: [p[0], p[1]], amsgrad: true },
        { params: [p[2]], lr: 0.01 },
      ],
      { lr: 0.05, weightDecay: 0.01 },
    ),
  AdamW: (p) =>
    new AdamW([{ params: [p[0]] }, { params: [p[1], p[2]], lr: 0.02, betas: [0.8, 0.95] }], { lr: 0.05 }),
  'RMSprop centered momentum': (p) =>
    new RMSprop(
      [
        { params: [p[0]], centered: true, momentum: 0.5 },
        { params: [p[1], p[2]], momentum: 0.9 },
      ],
      { lr: 0.01 },
    ),
  'Adagrad lrDecay': (p) =>
    new Adagrad(
      [
        { params: [p[0], p[2]], lrDecay: 0.1 },
        { params: [p[1]], initialAccumulatorValue: 0.1 },
      ],
      { lr: 0.1 },
    ),
};

const values = (params: Tensor[]) => params.map((p) => Array.from(p.dataSync()));

/** Tensors → nested arrays, as a checkpoint file would hold them. */
const viaJson = <T>(stateDict: T): any =>
  JSON.parse(
    JSON.stringify(stateDict, (_, v) =>
      v !== null && typeof v === 'object' && 'dataSync' in v ? (v as Tensor).toArray() : v,
    ),
  );

function run(factory: Factory, roundTrip: (sd: OptimizerStateDict<any, any>) => any) {
  const straight = initialParams();
  const reference = factory(straight);
  for (let k = 0; k < N + M; k++) {
    setGrads(straight, k);
    reference.step();
  }

  const first = initialParams();
  const before = factory(first);
  for (let k = 0; k < N; k++) {
    setGrads(first, k);
    before.step();
  }
  const saved = roundTrip(before.stateDict());
  const resumedParams = first.map((p) => tensor(p.dataSync(), { shape: p.shape, requiresGrad: true }));
  const after = factory(resumedParams);
  after.loadStateDict(saved);
  for (let k = N; k < N + M; k++) {
    setGrads(resumedParams, k);
    after.step();
  }
  return { expected: values(straight), got: values(resumedParams) };
}

describe('stateDict / loadStateDict resume training exactly', () => {
  it.each(Object.keys(factories))('%s', (name) => {
    const { expected, got } = run(factories[name], (sd) => sd);
    expect(got).toEqual(expected);
  });

  it.each(Object.keys(factories))('%s through JSON', (name) => {
    const { expected, got } = run(factories[name], viaJson);
    expect(got).toEqual(expected);
  });

  it('resumes an optimizer with a warm-up → cosine SequentialLR', () => {
    const make = (params: Tensor[]) => {
      const opt = new Adam(params, { lr: 0.05 });
      const warmup = new LinearLR(opt, { startFactor: 0.2, totalIters: 3 });
      const cosine = new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.001 });
      return { opt, scheduler: new SequentialLR(opt, [warmup, cosine], [3]) };
    };
    const straight = initialParams();
    const a = make(straight);
    const lrs: number[] = [];
    for (let k = 0; k < N + M; k++) {
      setGrads(straight, k);
      a.opt.step();
      a.scheduler.step();
      lrs.push(a.opt.paramGroups[0].lr);
    }
    const first = initialParams();
    const b = make(first);
    for (let k = 0; k < N; k++) {
      setGrads(first, k);
      b.opt.step();
      b.scheduler.step();
    }
    const checkpoint = viaJson({ optimizer: b.opt.stateDict(), scheduler: b.scheduler.stateDict() });
    const resumed = first.map((p) => tensor(p.dataSync(), { shape: p.shape, requiresGrad: true }));
    const c = make(resumed);
    c.opt.loadStateDict(checkpoint.optimizer);
    c.scheduler.loadStateDict(checkpoint.scheduler);
    expect(c.opt.paramGroups[0].lr).toBe(lrs[N - 1]);
    for (let k = N; k < N + M; k++) {
      setGrads(resumed, k);
      c.opt.step();
      c.scheduler.step();
      expect(c.opt.paramGroups[0].lr).toBe(lrs[k]);
    }
    expect(values(resumed)).toEqual(values(straight));
  });

  it('resumes ReduceLROnPlateau, including an infinite best through JSON', () => {
    const metrics = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5];
    const make = () => {
      const opt = new SGD(initialParams(), { lr: 0.1 });
      return { opt, scheduler: new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, mode: 'min' }) };
    };
    const a = make();
    for (const m of metrics) a.scheduler.step(m);
    const b = make();
    const fresh = viaJson(b.scheduler.stateDict());
    expect(fresh.best).toBeNull(); // JSON has no Infinity
    b.scheduler.loadStateDict(fresh);
    expect(b.scheduler.best).toBe(Number.POSITIVE_INFINITY);
    for (const m of metrics.slice(0, 3)) b.scheduler.step(m);
    const checkpoint = viaJson({ optimizer: b.opt.stateDict(), scheduler: b.scheduler.stateDict() });
    const c = make();
    c.opt.loadStateDict(checkpoint.optimizer);
    c.scheduler.loadStateDict(checkpoint.scheduler);
    for (const m of metrics.slice(3)) c.scheduler.step(m);
    expect(c.opt.paramGroups.map((g) => g.lr)).toEqual(a.opt.paramGroups.map((g) => g.lr));
    expect(c.scheduler.stateDict()).toEqual(a.scheduler.stateDict());
  });
});

describe('stateDict structure', () => {
  it("has PyTorch's layout: state by parameter index, groups with params as indices", () => {
    const params = initialParams();
    const opt = new Adam(
      [
        { params: [params[0]], amsgrad: true },
        { params: [params[1], params[2]], lr: 0.01 },
      ],
      { lr: 0.05 },
    );
    new StepLR(opt, { stepSize: 2 });
    setGrads(params, 2); // param 1 has no grad: no state for index 1
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['0', '2']);
    expect(Object.keys(sd.state[0]).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    expect(sd.state[0].step).toBe(1);
    expect(sd.state[2].expAvg.shape).toEqual([17]);
    expect(sd.paramGroups).toEqual([
      {
        lr: 0.05,
        betas: [0.9, 0.999],
        eps: 1e-8,
        amsgrad: true,
        maximize: false,
        weightDecay: 0,
        initialLr: 0.05,
        params: [0],
      },
      {
        lr: 0.01,
        betas: [0.9, 0.999],
        eps: 1e-8,
        amsgrad: false,
        maximize: false,
        weightDecay: 0,
        initialLr: 0.01,
        params: [1, 2],
      },
    ]);
  });

  it('is a snapshot: later steps and edits do not change it', () => {
    const params = initialParams();
    const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
    setGrads(params, 0);
    opt.step();
    const sd = opt.stateDict();
    const buffer = Array.from((sd.state[0].momentumBuffer as Tensor).dataSync());
    sd.paramGroups[0].lr = 123;
    opt.step();
    expect(Array.from((sd.state[0].momentumBuffer as Tensor).dataSync())).toEqual(buffer);
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  it('loading does not alias the given tensors', () => {
    const params = initialParams();
    const opt = new Adagrad(params, { lr: 0.1 });
    const sd = opt.stateDict();
    const other = new Adagrad(initialParams(), { lr: 0.1 });
    other.loadStateDict(sd);
    setGrads(params, 0);
    opt.step();
    expect(Array.from((other.stateDict().state[0].sum as Tensor).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects a state dict that does not fit', () => {
    const opt = new Adam(initialParams(), { lr: 0.05 });
    const twoGroups = new Adam([{ params: initialParams().slice(0, 2) }, { params: [initialParams()[2]] }]);
    expect(() => opt.loadStateDict(twoGroups.stateDict())).toThrow(
      'Adam.loadStateDict: expected 1 parameter groups, got 2',
    );
    const fewer = new Adam(initialParams().slice(0, 2));
    expect(() => opt.loadStateDict(fewer.stateDict())).toThrow(
      "Adam.loadStateDict: parameter group 0 has 3 params, the state dict's has 2",
    );
    const bad = {
      state: { 0: { step: 1, expAvg: [1, 2], expAvgSq: [1, 2] } },
      paramGroups: [{ params: [0, 1, 2] }],
    };
    expect(() => opt.loadStateDict(bad)).toThrow(OptimError);
    expect(() => opt.loadStateDict(bad)).toThrow(
      'Adam.loadStateDict: state 0.expAvg has 2 elements, expected 6 (param shape [2,3])',
    );
    const stray = { state: { 7: { step: 1 } }, paramGroups: [{ params: [0, 1, 2] }] };
    expect(() => opt.loadStateDict(stray)).toThrow(
      'Adam.loadStateDict: state for param 7, which no group lists',
    );
    const negative = { state: {}, paramGroups: [{ params: [0, 1, 2], lr: -1 }] };
    expect(() => opt.loadStateDict(negative)).toThrow('Adam: lr must be a number ≥ 0 (got -1)');
  });
});
