/**
 * @file The base of the epoch-driven learning-rate schedulers (PyTorch's LRScheduler): each step() advances
 * lastEpoch and writes new lrs into the optimizer's parameter groups.
 */
import { OptimError } from '../errors.js';
import { Optimizer } from '../optimizer.js';

/** What every scheduler driven by step() alone offers (ChainedScheduler takes any of them). */
export interface Scheduler {
  readonly optimizer: Optimizer;
  step(): void;
  /** The lrs of the groups after the last step (or construction). */
  getLastLr(): number[];
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

/** A scheduler's counters; with the optimizer's state dict (which holds the group lrs) it resumes exactly. */
export interface LRSchedulerStateDict {
  lastEpoch: number;
  stepCount: number;
  baseLrs: number[];
  lastLr: number[];
}

/**
 * The base of the schedulers: on construction each group's `initialLr` is set to its lr (unless a scheduler set
 * it before) and becomes the base lr, then one step is taken, so `lastEpoch` is 0 and the lrs are the schedule's
 * first values, as in PyTorch. step() advances `lastEpoch` and computes new lrs from the current ones (PyTorch's
 * recursive forms); step(epoch) jumps to `epoch` with the closed form. Hyperparameters are not part of the
 * state dict: construct the scheduler with the same options, then load.
 *
 * A subclass implements computeLr (and closedFormLr where the two differ) and must call `this.initialStep()`
 * as the last line of its constructor, once its own fields are set.
 */
export abstract class LRScheduler implements Scheduler {
  readonly optimizer: Optimizer;
  /** Each group's initialLr, the lr the schedule starts from. */
  baseLrs: number[];
  /** Steps taken since construction (0 after it), PyTorch's last_epoch. */
  lastEpoch = -1;
  /** Calls of step(), including the one at construction. */
  protected stepCount = 0;
  protected lastLr: number[] = [];
  /** The class name, used in error messages. */
  protected readonly name: string;

  protected constructor(name: string, optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer)) {
      throw new OptimError(`${name}: expected an Optimizer (got ${typeof optimizer})`);
    }
    this.name = name;
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr as number);
  }

  /** The new lrs at this.lastEpoch, from the groups' current lrs (PyTorch's get_lr). */
  protected abstract computeLr(): number[];

  /** The lrs at this.lastEpoch from the base lrs alone (PyTorch's _get_closed_form_lr). */
  protected closedFormLr(): number[] {
    return this.computeLr();
  }

  /** The groups' current lrs. */
  protected get groupLrs(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** Resets the step count and takes the first step (lastEpoch −1 → 0). Used by constructors and SequentialLR. */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * Advances the schedule one step and sets the groups' lrs; call it after optimizer.step(). With `epoch`,
   * jumps to that step using the closed form instead (PyTorch's deprecated step(epoch); SequentialLR uses it to
   * restart a schedule at 0).
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let lrs: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      lrs = this.computeLr();
    } else {
      this.lastEpoch = epoch;
      lrs = this.closedFormLr();
    }
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i];
    });
    this.lastLr = this.groupLrs;
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): LRSchedulerStateDict & Record<string, unknown> {
    return {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
  }

  loadStateDict(state: Partial<LRSchedulerStateDict> & Record<string, unknown>): void {
    if (state.lastEpoch !== undefined) this.lastEpoch = state.lastEpoch;
    if (state.stepCount !== undefined) this.stepCount = state.stepCount;
    if (state.baseLrs !== undefined) {
      if (state.baseLrs.length !== this.optimizer.paramGroups.length) {
        throw new OptimError(
          `${this.name}.loadStateDict: expected ${this.optimizer.paramGroups.length} baseLrs, got ${state.baseLrs.length}`,
        );
      }
      this.baseLrs = [...state.baseLrs];
    }
    if (state.lastLr !== undefined) this.lastLr = [...state.lastLr];
  }
}
