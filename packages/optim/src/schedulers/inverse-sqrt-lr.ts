/** @file InverseSqrtLR: the warm-up then inverse-square-root schedule of "Attention Is All You Need". */
import { checkPositive } from '../checks.js';
import type { Optimizer } from '../optimizer.js';
import { noam } from '../schedules.js';
import { LRScheduler } from './lr-scheduler.js';

export interface InverseSqrtLROptions {
  /** Model width d_model. */
  dModel: number;
  /** Warm-up steps; the lr peaks at step number `warmup`. */
  warmup: number;
  /** Overall factor (default 1; the lr at the peak is scale·(dModel·warmup)^−0.5). */
  scale?: number;
}

/**
 * Noam's schedule: every group's lr is set to scale · d_model^−0.5 · min(n^−0.5, n · warmup^−1.5) for the
 * n-th optimizer step (n = lastEpoch + 1, so the first step uses n = 1): linear warm-up, then decay as 1/√n.
 * The lr is set outright; the optimizer's own lr is ignored (use `scale`). Closed form: schedules.noam.
 * @see Vaswani et al., "Attention Is All You Need" (2017), §5.3.
 * @example
 * const opt = new Adam(model.parameters(), { betas: [0.9, 0.98], eps: 1e-9 });
 * const scheduler = new InverseSqrtLR(opt, { dModel: 512, warmup: 4000 });
 */
export class InverseSqrtLR extends LRScheduler {
  readonly dModel: number;
  readonly warmup: number;
  readonly scale: number;

  constructor(optimizer: Optimizer, { dModel, warmup, scale = 1 }: InverseSqrtLROptions) {
    super('InverseSqrtLR', optimizer);
    checkPositive('InverseSqrtLR', 'dModel', dModel);
    checkPositive('InverseSqrtLR', 'warmup', warmup);
    checkPositive('InverseSqrtLR', 'scale', scale);
    this.dModel = dModel;
    this.warmup = warmup;
    this.scale = scale;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lr = noam({ dModel: this.dModel, warmup: this.warmup, scale: this.scale })(this.lastEpoch + 1);
    return this.baseLrs.map(() => lr);
  }
}
