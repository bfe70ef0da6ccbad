/** @file ReduceLROnPlateau: cut the lr when a monitored metric stops improving. */
import type { Tensor } from '@tensorloom/tensor';
import { checkInteger, checkNonNegative, checkOneOf } from '../checks.js';
import { OptimError } from '../errors.js';
import { Optimizer } from '../optimizer.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** new lr = lr · factor, in [0, 1) (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before cutting; the cut comes on the next one (default 10). */
  patience?: number;
  /** How much better than the best a metric must be to count (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps after a cut during which bad steps are not counted (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** A cut smaller than eps is skipped (default 1e-8). */
  eps?: number;
}

/** ReduceLROnPlateau's state. JSON turns an infinite `best` into null; loading treats null as "no best yet". */
export interface ReduceLROnPlateauStateDict {
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

/**
 * Multiplies each group's lr by `factor` (down to minLr) when the metric passed to step() has not improved for
 * more than `patience` steps, then waits `cooldown` steps, as torch.optim.lr_scheduler.ReduceLROnPlateau.
 * A metric improves on the best so far when it is below best·(1 − threshold) ('min', 'rel'), below
 * best − threshold ('min', 'abs'), above best·(1 + threshold) ('max', 'rel') or above best + threshold ('max', 'abs').
 * @example
 * const scheduler = new ReduceLROnPlateau(opt, { mode: 'min', factor: 0.5, patience: 2 });
 * scheduler.step(validationLoss);
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  /** Steps taken (PyTorch's last_epoch). */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const {
      mode = 'min',
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    const name = 'ReduceLROnPlateau';
    if (!(optimizer instanceof Optimizer)) {
      throw new OptimError(`${name}: expected an Optimizer (got ${typeof optimizer})`);
    }
    checkOneOf(name, 'mode', mode, ['min', 'max']);
    checkOneOf(name, 'thresholdMode', thresholdMode, ['rel', 'abs']);
    if (typeof factor !== 'number' || !(factor >= 0 && factor < 1)) {
      throw new OptimError(`${name}: factor must be in [0, 1) (got ${factor})`);
    }
    checkInteger(name, 'patience', patience, 0);
    checkInteger(name, 'cooldown', cooldown, 0);
    checkNonNegative(name, 'threshold', threshold);
    checkNonNegative(name, 'eps', eps);
    const groups = optimizer.paramGroups.length;
    const minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: groups }, () => minLr as number);
    if (minLrs.length !== groups) {
      throw new OptimError(`${name}: expected ${groups} minLrs (one per group), got ${minLrs.length}`);
    }
    for (const m of minLrs) checkNonNegative(name, 'minLr', m);
    this.optimizer = optimizer;
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = minLrs;
    this.eps = eps;
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private get modeWorse(): number {
    return this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this;
    if (mode === 'min' && thresholdMode === 'rel') return a < best * (1 - threshold);
    if (mode === 'min') return a < best - threshold;
    if (thresholdMode === 'rel') return a > best * (threshold + 1);
    return a > best + threshold;
  }

  /** Records one metric value (a number or a one-element tensor) and cuts the lrs if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = typeof metric === 'number' ? metric : metric.item();
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad steps during the cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): ReduceLROnPlateauStateDict & Record<string, unknown> {
    return {
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  loadStateDict(state: Partial<ReduceLROnPlateauStateDict>): void {
    if (state.best !== undefined) this.best = state.best ?? this.modeWorse;
    if (state.numBadEpochs !== undefined) this.numBadEpochs = state.numBadEpochs;
    if (state.cooldownCounter !== undefined) this.cooldownCounter = state.cooldownCounter;
    if (state.lastEpoch !== undefined) this.lastEpoch = state.lastEpoch;
    if (state.lastLr !== undefined) this.lastLr = [...state.lastLr];
  }
}
