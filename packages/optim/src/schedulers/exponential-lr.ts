/** @file ExponentialLR: decay by gamma every step. */
import { checkNonNegative } from '../checks.js';
import type { Optimizer } from '../optimizer.js';
import { exponential } from '../schedules.js';
import { LRScheduler } from './lr-scheduler.js';

export interface ExponentialLROptions {
  /** Multiplicative decay γ per step. */
  gamma: number;
}

/**
 * Multiplies each group's lr by γ every step: lr = initialLr · γ^t, as torch.optim.lr_scheduler.ExponentialLR.
 * @example const scheduler = new ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, { gamma }: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    checkNonNegative('ExponentialLR', 'gamma', gamma);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((baseLr) => exponential({ baseLr, gamma: this.gamma })(this.lastEpoch));
  }
}
