/** Scheduler behaviour beyond the PyTorch fixtures: initialLr bookkeeping, state dicts, validation. */
import {
  ChainedScheduler,
  CosineAnnealingLR,
  ExponentialLR,
  InverseSqrtLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OptimError,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
} from '@tensorloom/optim';
import { tensor, zeros } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

const sgd = (...lrs: number[]) =>
  new SGD(
    lrs.map((lr) => ({ params: [zeros([1], { requiresGrad: true })], lr })),
    { lr: lrs[0] ?? 0.1 },
  );

describe('schedulers', () => {
  it("record each group's initialLr once and start from it", () => {
    const opt = sgd(0.1, 0.2);
    new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
    const second = new ExponentialLR(opt, { gamma: 0.9 });
    expect(second.baseLrs).toEqual([0.1, 0.2]);
  });

  it('step(epoch) jumps with the closed form', () => {
    const opt = sgd(1);
    const s = new CosineAnnealingLR(opt, { tMax: 10 });
    s.step(5);
    expect(s.lastEpoch).toBe(5);
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.5, 15);
  });

  it('InverseSqrtLR sets the lr outright, ignoring the optimizer lr', () => {
    const opt = sgd(123);
    const s = new InverseSqrtLR(opt, { dModel: 4, warmup: 4, scale: 2 });
    expect(s.getLastLr()).toEqual([2 * 4 ** -0.5 * 1 * 4 ** -1.5]);
    for (let k = 0; k < 3; k++) s.step();
    expect(opt.paramGroups[0].lr).toBeCloseTo(2 * 0.5 * 4 ** -0.5, 15); // peak at step number 4
  });

  it('ReduceLROnPlateau takes a one-element tensor as the metric', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    s.step(tensor(2, { dtype: 'float32' }));
    s.step(tensor([2], { dtype: 'float32' }));
    expect(s.getLastLr()).toEqual([0.5]);
  });

  it('state dicts round-trip the counters', () => {
    const opt = sgd(0.1);
    const s = new MultiStepLR(opt, { milestones: [2, 4] });
    s.step();
    s.step();
    const state = s.stateDict();
    expect(state).toEqual({ lastEpoch: 2, stepCount: 3, baseLrs: [0.1], lastLr: [0.1 * 0.1] });
    const t = new MultiStepLR(sgd(0.1), { milestones: [2, 4] });
    t.loadStateDict(state);
    expect(t.stateDict()).toEqual(state);
  });
});

describe('scheduler validation', () => {
  it.each([
    [() => new StepLR(sgd(0.1), { stepSize: 0 }), 'StepLR: stepSize must be an integer ≥ 1 (got 0)'],
    [
      () => new MultiStepLR(sgd(0.1), { milestones: [1.5] }),
      'MultiStepLR: each milestone must be an integer ≥ 0 (got 1.5)',
    ],
    [() => new ExponentialLR(sgd(0.1), { gamma: -1 }), 'ExponentialLR: gamma must be a number ≥ 0 (got -1)'],
    [
      () => new CosineAnnealingLR(sgd(0.1), { tMax: 0 }),
      'CosineAnnealingLR: tMax must be a number > 0 (got 0)',
    ],
    [() => new LinearLR(sgd(0.1), { startFactor: 0 }), 'LinearLR: startFactor must be in (0, 1] (got 0)'],
    [() => new LinearLR(sgd(0.1), { endFactor: 1.5 }), 'LinearLR: endFactor must be in [0, 1] (got 1.5)'],
    [() => new LambdaLR(sgd(0.1, 0.2), [(e) => e]), 'LambdaLR: expected 2 lrLambdas (one per group), got 1'],
    [
      () => new InverseSqrtLR(sgd(0.1), { dModel: 512, warmup: 0 }),
      'InverseSqrtLR: warmup must be a number > 0 (got 0)',
    ],
    [
      () => new ReduceLROnPlateau(sgd(0.1), { factor: 1 }),
      'ReduceLROnPlateau: factor must be in [0, 1) (got 1)',
    ],
    [
      () => new ReduceLROnPlateau(sgd(0.1), { mode: 'up' as never }),
      "ReduceLROnPlateau: mode must be one of 'min', 'max' (got up)",
    ],
    [
      () => new ReduceLROnPlateau(sgd(0.1, 0.2), { minLr: [0] }),
      'ReduceLROnPlateau: expected 2 minLrs (one per group), got 1',
    ],
    [() => new StepLR({} as never, { stepSize: 1 }), 'StepLR: expected an Optimizer (got object)'],
  ])('%#: %s', (make, message) => {
    expect(make).toThrow(OptimError);
    expect(make).toThrow(message);
  });

  it('SequentialLR and ChainedScheduler check their schedulers', () => {
    const opt = sgd(0.1);
    const a = new LinearLR(opt);
    const b = new ExponentialLR(opt, { gamma: 0.9 });
    expect(() => new SequentialLR(opt, [a, b], [])).toThrow(
      'SequentialLR: expected 1 milestones for 2 schedulers (got 0)',
    );
    expect(() => new SequentialLR(opt, [a, b, a], [3, 2])).toThrow(
      'SequentialLR: milestones must increase (got [3,2])',
    );
    const other = new StepLR(sgd(0.1), { stepSize: 1 });
    expect(() => new SequentialLR(opt, [a, other], [3])).toThrow(
      'SequentialLR: all schedulers must belong to the optimizer passed in, but schedulers[1] does not',
    );
    expect(() => new ChainedScheduler([a, other])).toThrow(
      'ChainedScheduler: all schedulers must belong to the same optimizer, but schedulers[1] and schedulers[0] differ',
    );
  });
});
