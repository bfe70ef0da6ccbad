/** @file StepLR: decay by gamma every stepSize steps. */
import { checkInteger, checkNonNegative } from '../checks.js';
import type { Optimizer } from '../optimizer.js';
import { stepDecay } from '../schedules.js';
import { LRScheduler } from './lr-scheduler.js';

export interface StepLROptions {
  /** Steps between decays. */
  stepSize: number;
  /** Multiplicative decay γ (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by γ every `stepSize` steps: lr = initialLr · γ^⌊t / stepSize⌋ (applied
 * recursively, so changes made to the lr from outside persist), as torch.optim.lr_scheduler.StepLR.
 * @example const scheduler = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, { stepSize, gamma = 0.1 }: StepLROptions) {
    super('StepLR', optimizer);
    checkInteger('StepLR', 'stepSize', stepSize, 1);
    checkNonNegative('StepLR', 'gamma', gamma);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((baseLr) =>
      stepDecay({ baseLr, stepSize: this.stepSize, gamma: this.gamma })(this.lastEpoch),
    );
  }
}
