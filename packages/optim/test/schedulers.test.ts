/**
 * Learning-rate schedulers: every case in fixtures/optim.json gives group lrs, a scheduler (possibly nested) and
 * PyTorch's lrs after construction and after each of 30 steps; we replay and compare, then check the closed
 * forms in `schedules` against the same numbers.
 */
import {
  ChainedScheduler,
  CosineAnnealingLR,
  ExponentialLR,
  InverseSqrtLR,
  LambdaLR,
  LinearLR,
  type LRScheduler,
  MultiStepLR,
  ReduceLROnPlateau,
  type Schedule,
  type Scheduler,
  SequentialLR,
  SGD,
  StepLR,
  schedules,
} from '@tensorloom/optim';
import { zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { fixture, num, type SchedulerCase, type SchedulerSpec } from './fixture.js';

/** The named lambdas of tools/reference/generate_optim.py. */
const LAMBDAS: Record<string, (epoch: number) => number> = {
  exp95: (epoch) => 0.95 ** epoch,
  warmup5: (epoch) => Math.min(1, (epoch + 1) / 5),
  halfEvery4: (epoch) => 0.5 ** Math.floor(epoch / 4),
};

const sgdWithGroups = (lrs: number[]) =>
  new SGD(
    lrs.map((lr) => ({ params: [zeros([1], { requiresGrad: true })], lr })),
    { lr: lrs[0] },
  );

function build(opt: SGD, spec: SchedulerSpec): Scheduler | ReduceLROnPlateau {
  const o = (spec.options ?? {}) as any;
  switch (spec.type) {
    case 'StepLR':
      return new StepLR(opt, o);
    case 'MultiStepLR':
      return new MultiStepLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'LinearLR':
      return new LinearLR(opt, o);
    case 'InverseSqrtLR':
      return new InverseSqrtLR(opt, o);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(opt, o);
    case 'LambdaLR': {
      const names = spec.lambdas!;
      return new LambdaLR(opt, Array.isArray(names) ? names.map((n) => LAMBDAS[n]) : LAMBDAS[names]);
    }
    case 'SequentialLR':
      return new SequentialLR(
        opt,
        spec.schedulers!.map((s) => build(opt, s) as LRScheduler),
        spec.milestones!,
      );
    case 'ChainedScheduler':
      return new ChainedScheduler(spec.schedulers!.map((s) => build(opt, s) as Scheduler));
    default:
      throw new Error(`unknown scheduler ${spec.type}`);
  }
}

const lrsOf = (opt: SGD) => opt.paramGroups.map((g) => g.lr);
const expectedLrs = (c: SchedulerCase, k: number) => c.lrs[k].map(num);

describe('schedulers match PyTorch (fixtures/optim.json)', () => {
  it('has cases for every scheduler', () => {
    const kinds = new Set(fixture.schedulers.map((c) => c.scheduler.type));
    expect([...kinds].sort()).toEqual(
      [
        'ChainedScheduler',
        'CosineAnnealingLR',
        'ExponentialLR',
        'InverseSqrtLR',
        'LambdaLR',
        'LinearLR',
        'MultiStepLR',
        'ReduceLROnPlateau',
        'SequentialLR',
        'StepLR',
      ].sort(),
    );
    expect(Math.min(...fixture.schedulers.map((c) => c.lrs.length))).toBeGreaterThan(25);
  });

  it.each(fixture.schedulers.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const opt = sgdWithGroups(c.lrs0);
    const scheduler = build(opt, c.scheduler);
    expect(lrsOf(opt), 'after construction').toBeAllClose(expectedLrs(c, 0), { rtol: 1e-12, atol: 0 });
    for (let k = 1; k < c.lrs.length; k++) {
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(c.metrics![k - 1]);
      else scheduler.step();
      const want = expectedLrs(c, k);
      expect(lrsOf(opt), `after step ${k}`).toBeAllClose(want, { rtol: 1e-12, atol: 1e-300 });
      expect(scheduler.getLastLr(), `getLastLr after step ${k}`).toEqual(lrsOf(opt));
    }
  });
});

/** Closed forms for the cases that have one: name → (base lr) => schedule. */
const closedForms: Record<string, (baseLr: number) => Schedule> = {
  'StepLR/step 3 gamma 0.5': (baseLr) => schedules.stepDecay({ baseLr, stepSize: 3, gamma: 0.5 }),
  'StepLR/default gamma': (baseLr) => schedules.stepDecay({ baseLr, stepSize: 7 }),
  'MultiStepLR/repeated milestone': (baseLr) =>
    schedules.multiStep({ baseLr, milestones: [3, 7, 7, 12], gamma: 0.3 }),
  'ExponentialLR/gamma 0.9': (baseLr) => schedules.exponential({ baseLr, gamma: 0.9 }),
  'CosineAnnealingLR/tMax 10 etaMin 0.001 past tMax': (baseLr) =>
    schedules.cosineAnnealing({ baseLr, tMax: 10, etaMin: 0.001 }),
  'CosineAnnealingLR/tMax 7 etaMin 0': (baseLr) => schedules.cosineAnnealing({ baseLr, tMax: 7 }),
  'CosineAnnealingLR/tMax 1': (baseLr) => schedules.cosineAnnealing({ baseLr, tMax: 1, etaMin: 0.01 }),
  'LinearLR/warm-up 0.1 to 1 over 8': (baseLr) =>
    schedules.linear({ baseLr, startFactor: 0.1, endFactor: 1, totalIters: 8 }),
  'LinearLR/decay 1 to 0.05 over 10': (baseLr) =>
    schedules.linear({ baseLr, startFactor: 1, endFactor: 0.05, totalIters: 10 }),
  'SequentialLR/warm-up then cosine': (baseLr) =>
    schedules.sequential(
      [
        schedules.linear({ baseLr, startFactor: 0.1, totalIters: 5 }),
        schedules.cosineAnnealing({ baseLr, tMax: 20, etaMin: 1e-4 }),
      ],
      [5],
    ),
  'SequentialLR/three phases': (baseLr) =>
    schedules.sequential(
      [
        schedules.linear({ baseLr, startFactor: 0.25, totalIters: 4 }),
        schedules.exponential({ baseLr, gamma: 0.8 }),
        schedules.stepDecay({ baseLr, stepSize: 3, gamma: 0.5 }),
      ],
      [4, 12],
    ),
  'InverseSqrtLR/noam dModel 16 warmup 10 scale 2': () => (step) =>
    schedules.noam({ dModel: 16, warmup: 10, scale: 2 })(step + 1),
  'InverseSqrtLR/noam dModel 512 warmup 4': () => (step) =>
    schedules.noam({ dModel: 512, warmup: 4 })(step + 1),
};

describe('schedules: closed forms agree with PyTorch', () => {
  it.each(Object.keys(closedForms))('%s', (name) => {
    const c = fixture.schedulers.find((s) => s.name === name);
    expect(c, name).toBeDefined();
    c!.lrs0.forEach((baseLr, g) => {
      const lrAt = closedForms[name](baseLr);
      const got = c!.lrs.map((_, k) => lrAt(k));
      expect(got).toBeAllClose(
        c!.lrs.map((row) => num(row[g])),
        { rtol: 1e-9, atol: 1e-15 },
      );
    });
  });

  it('noam peaks at step warmup with scale·(dModel·warmup)^−0.5 and is 0 at step 0', () => {
    const lrAt = schedules.noam({ dModel: 512, warmup: 4000 });
    expect(lrAt(4000)).toBeCloseTo((512 * 4000) ** -0.5, 15);
    expect(lrAt(3999)).toBeLessThan(lrAt(4000));
    expect(lrAt(4001)).toBeLessThan(lrAt(4000));
    expect(lrAt(0)).toBe(0);
  });

  it('constant and sequential validation', () => {
    expect(schedules.constant({ baseLr: 0.3 })(17)).toBe(0.3);
    expect(() => schedules.sequential([schedules.constant({ baseLr: 1 })], [3])).toThrow(
      'sequential: expected 0 milestones for 1 schedules (got 1)',
    );
  });
});
