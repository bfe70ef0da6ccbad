/** @file MultiStepLR: decay by gamma at each milestone. */
import { checkInteger, checkNonNegative } from '../checks.js';
import { OptimError } from '../errors.js';
import type { Optimizer } from '../optimizer.js';
import { multiStep } from '../schedules.js';
import { LRScheduler } from './lr-scheduler.js';

export interface MultiStepLROptions {
  /** Steps at which to decay; a milestone listed k times decays by γ^k. */
  milestones: readonly number[];
  /** Multiplicative decay γ (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by γ when the step count reaches a milestone: lr = initialLr · γ^(milestones ≤ t),
 * as torch.optim.lr_scheduler.MultiStepLR.
 * @example const scheduler = new MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: readonly number[];
  readonly gamma: number;
  /** How many times each milestone is listed (PyTorch's Counter). */
  private readonly counts = new Map<number, number>();

  constructor(optimizer: Optimizer, { milestones, gamma = 0.1 }: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    if (!Array.isArray(milestones)) {
      throw new OptimError(`MultiStepLR: milestones must be an array of steps (got ${typeof milestones})`);
    }
    for (const m of milestones) checkInteger('MultiStepLR', 'each milestone', m, 0);
    checkNonNegative('MultiStepLR', 'gamma', gamma);
    this.milestones = [...milestones];
    this.gamma = gamma;
    for (const m of milestones) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const count = this.counts.get(this.lastEpoch);
    if (count === undefined) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((baseLr) =>
      multiStep({ baseLr, milestones: this.milestones, gamma: this.gamma })(this.lastEpoch),
    );
  }
}
