/** @file LambdaLR: the initial lr times a user function of the step. */
import { OptimError } from '../errors.js';
import type { Optimizer } from '../optimizer.js';
import { LRScheduler } from './lr-scheduler.js';

/** A multiplicative factor as a function of the step count (0 at construction). */
export type LrLambda = (step: number) => number;

/**
 * Sets each group's lr to initialLr · λ(t), with one function for all groups or one per group, as
 * torch.optim.lr_scheduler.LambdaLR. The functions are not part of the state dict.
 * @example const scheduler = new LambdaLR(opt, (t) => 0.95 ** t);
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: readonly LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    super('LambdaLR', optimizer);
    const groups = optimizer.paramGroups.length;
    const lambdas = Array.isArray(lrLambda) ? [...lrLambda] : Array.from({ length: groups }, () => lrLambda);
    if (lambdas.length !== groups) {
      throw new OptimError(`LambdaLR: expected ${groups} lrLambdas (one per group), got ${lambdas.length}`);
    }
    if (lambdas.some((fn) => typeof fn !== 'function')) {
      throw new OptimError('LambdaLR: lrLambda must be a function or an array of functions');
    }
    this.lrLambdas = lambdas as LrLambda[];
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((baseLr, i) => baseLr * this.lrLambdas[i](this.lastEpoch));
  }
}
