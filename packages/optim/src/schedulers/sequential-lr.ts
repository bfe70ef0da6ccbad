/** @file SequentialLR: hand over from one scheduler to the next at milestones (e.g. warm-up, then cosine). */
import { checkInteger } from '../checks.js';
import { OptimError } from '../errors.js';
import type { Optimizer } from '../optimizer.js';
import { LRScheduler, type LRSchedulerStateDict, type Scheduler } from './lr-scheduler.js';

/** SequentialLR's state: its step count, last lrs and each scheduler's state. */
export interface SequentialLRStateDict {
  lastEpoch: number;
  lastLr: number[];
  schedulers: LRSchedulerStateDict[];
}

const bisectRight = (sorted: readonly number[], x: number): number => {
  let i = 0;
  while (i < sorted.length && sorted[i] <= x) i++;
  return i;
};

/**
 * Runs `schedulers[i]` from step `milestones[i − 1]` on, as torch.optim.lr_scheduler.SequentialLR: at
 * construction the groups' lrs go back to their initialLr and only the first scheduler takes its initial step;
 * at each milestone the next scheduler restarts at 0 (its closed form at step 0), then steps recursively.
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(opt, { tMax: 95 });
 * const scheduler = new SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR implements Scheduler {
  readonly optimizer: Optimizer;
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];
  /** Steps taken since construction (0 after it). */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new OptimError('SequentialLR: expected a non-empty array of schedulers');
    }
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new OptimError(
          `SequentialLR: schedulers[${i}] must be an LRScheduler such as LinearLR or StepLR`,
        );
      }
      if (s.optimizer !== optimizer) {
        throw new OptimError(
          `SequentialLR: all schedulers must belong to the optimizer passed in, but schedulers[${i}] does not`,
        );
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new OptimError(
        `SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers (got ${Array.isArray(milestones) ? milestones.length : typeof milestones})`,
      );
    }
    milestones.forEach((m, i) => {
      checkInteger('SequentialLR', 'each milestone', m, 1);
      if (i > 0 && m <= milestones[i - 1]) {
        throw new OptimError(`SequentialLR: milestones must increase (got [${milestones}])`);
      }
    });
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    // Undo the schedulers' own initial steps, then take the first one's again.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr ?? group.lr;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const i = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[i];
    if (i > 0 && this.milestones[i - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SequentialLRStateDict & Record<string, unknown> {
    return {
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  loadStateDict(state: Partial<SequentialLRStateDict> & Record<string, unknown>): void {
    if (state.schedulers !== undefined && state.schedulers.length !== this.schedulers.length) {
      throw new OptimError(
        `SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${state.schedulers.length}`,
      );
    }
    if (state.lastEpoch !== undefined) this.lastEpoch = state.lastEpoch;
    if (state.lastLr !== undefined) this.lastLr = [...state.lastLr];
    state.schedulers?.forEach((s, i) => {
      this.schedulers[i].loadStateDict(s as LRSchedulerStateDict & Record<string, unknown>);
    });
  }
}
