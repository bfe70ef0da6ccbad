/** @file ChainedScheduler: step several schedulers together, their factors multiplying. */
import { OptimError } from '../errors.js';
import type { Optimizer } from '../optimizer.js';
import type { Scheduler } from './lr-scheduler.js';

/**
 * Calls step() on every scheduler in order, each acting on the lr the previous one left, as
 * torch.optim.lr_scheduler.ChainedScheduler; e.g. a LinearLR warm-up chained with a CosineAnnealingLR multiplies
 * the two schedules' factors.
 * @example
 * const scheduler = new ChainedScheduler([
 *   new LinearLR(opt, { startFactor: 0.1, totalIters: 5 }),
 *   new CosineAnnealingLR(opt, { tMax: 100 }),
 * ]);
 */
export class ChainedScheduler implements Scheduler {
  readonly optimizer: Optimizer;
  readonly schedulers: readonly Scheduler[];
  private lastLr: number[];

  constructor(schedulers: readonly Scheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new OptimError('ChainedScheduler: expected a non-empty array of schedulers');
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0].optimizer) {
        throw new OptimError(
          `ChainedScheduler: all schedulers must belong to the same optimizer, but schedulers[${i}] and schedulers[0] differ`,
        );
      }
    });
    this.schedulers = [...schedulers];
    this.optimizer = schedulers[0].optimizer;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): { lastLr: number[]; schedulers: Record<string, unknown>[] } {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: { lastLr?: number[]; schedulers?: Record<string, unknown>[] }): void {
    if (state.schedulers !== undefined && state.schedulers.length !== this.schedulers.length) {
      throw new OptimError(
        `ChainedScheduler.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${state.schedulers.length}`,
      );
    }
    if (state.lastLr !== undefined) this.lastLr = [...state.lastLr];
    state.schedulers?.forEach((s, i) => {
      this.schedulers[i].loadStateDict(s);
    });
  }
}
