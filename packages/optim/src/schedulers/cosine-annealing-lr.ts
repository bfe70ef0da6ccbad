/** @file CosineAnnealingLR: half a cosine from the initial lr down to etaMin, in PyTorch's recursive form. */
import { checkNonNegative, checkPositive } from '../checks.js';
import type { Optimizer } from '../optimizer.js';
import { cosineAnnealing } from '../schedules.js';
import { LRScheduler } from './lr-scheduler.js';

export interface CosineAnnealingLROptions {
  /** Steps from the initial lr down to etaMin (half a period). */
  tMax: number;
  /** The minimum lr η_min (default 0). */
  etaMin?: number;
}

/**
 * Anneals each group's lr along a cosine, η_t = η_min + (η_max − η_min)(1 + cos(π·t / T_max)) / 2 with
 * η_max = initialLr, past T_max too (the cosine rises again). Like torch.optim.lr_scheduler.CosineAnnealingLR it
 * is applied recursively, η_t = η_min + (η_{t−1} − η_min)·(1 + cos(π·t / T_max)) / (1 + cos(π·(t − 1) / T_max)),
 * with an additive step where that ratio would divide by zero (t − 1 − T_max a multiple of 2·T_max); the
 * closed form is schedules.cosineAnnealing.
 * @see Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (2017).
 * @example const scheduler = new CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, { tMax, etaMin = 0 }: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    checkPositive('CosineAnnealingLR', 'tMax', tMax);
    checkNonNegative('CosineAnnealingLR', 'etaMin', etaMin);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    if (t === 0) return this.groupLrs;
    // JS's % keeps the sign of the dividend, Python's does not; both are 0 on the same inputs.
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return this.groupLrs.map(
        (lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    return this.groupLrs.map(
      (lr) =>
        ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((baseLr) =>
      cosineAnnealing({ baseLr, tMax: this.tMax, etaMin: this.etaMin })(this.lastEpoch),
    );
  }
}
