/** @file LinearLR: move the lr factor linearly from startFactor to endFactor (a warm-up, or a linear decay). */
import { checkInteger } from '../checks.js';
import { OptimError } from '../errors.js';
import type { Optimizer } from '../optimizer.js';
import { linear } from '../schedules.js';
import { LRScheduler } from './lr-scheduler.js';

export interface LinearLROptions {
  /** Factor at step 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor from step totalIters on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Steps over which the factor changes (default 5). */
  totalIters?: number;
}

/**
 * Scales each group's lr by a factor that moves linearly from startFactor to endFactor over totalIters steps,
 * lr = initialLr · (s + (e − s)·min(t, N) / N), applied recursively as torch.optim.lr_scheduler.LinearLR:
 * lr_t = lr_{t−1} · (1 + (e − s) / (N·s + (t − 1)(e − s))).
 * @example const warmup = new LinearLR(opt, { startFactor: 0.01, totalIters: 1000 });
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(
    optimizer: Optimizer,
    { startFactor = 1 / 3, endFactor = 1, totalIters = 5 }: LinearLROptions = {},
  ) {
    super('LinearLR', optimizer);
    if (typeof startFactor !== 'number' || !(startFactor > 0 && startFactor <= 1)) {
      throw new OptimError(`LinearLR: startFactor must be in (0, 1] (got ${startFactor})`);
    }
    if (typeof endFactor !== 'number' || !(endFactor >= 0 && endFactor <= 1)) {
      throw new OptimError(`LinearLR: endFactor must be in [0, 1] (got ${endFactor})`);
    }
    checkInteger('LinearLR', 'totalIters', totalIters, 1);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.groupLrs.map((lr) => lr * s);
    if (t > n) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor, endFactor, totalIters } = this;
    return this.baseLrs.map((baseLr) =>
      linear({ baseLr, startFactor, endFactor, totalIters })(this.lastEpoch),
    );
  }
}
