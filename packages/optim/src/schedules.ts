/**
 * @file Learning-rate schedules as pure functions `(step) => lr`, in closed form. `step` counts scheduler steps
 * from 0, the value at construction, as PyTorch's last_epoch. These are the closed forms of PyTorch's
 * schedulers (`_get_closed_form_lr`), written in the same operation order; the scheduler classes follow
 * PyTorch's recursive forms, which agree with these up to floating-point rounding.
 * @example
 * const lrAt = schedules.sequential(
 *   [schedules.linear({ baseLr: 1e-3, startFactor: 0.1, totalIters: 5 }), schedules.cosineAnnealing({ baseLr: 1e-3, tMax: 95 })],
 *   [5],
 * );
 * lrAt(0); // 1e-4
 */
import { OptimError } from './errors.js';

/** A learning rate as a function of the step number. */
export type Schedule = (step: number) => number;

/** The number of sorted `milestones` ≤ step (Python's bisect_right). */
function bisectRight(milestones: readonly number[], step: number): number {
  let count = 0;
  while (count < milestones.length && milestones[count] <= step) count++;
  return count;
}

/** The constant lr. */
export const constant =
  ({ baseLr }: { baseLr: number }): Schedule =>
  () =>
    baseLr;

/**
 * baseLr · γ^⌊step / stepSize⌋: decay by γ every stepSize steps (StepLR).
 * @example schedules.stepDecay({ baseLr: 0.1, stepSize: 30 })(65); // 0.1 · 0.1² ≈ 1e-3
 */
export const stepDecay =
  ({ baseLr, stepSize, gamma = 0.1 }: { baseLr: number; stepSize: number; gamma?: number }): Schedule =>
  (step) =>
    baseLr * gamma ** Math.floor(step / stepSize);

/**
 * baseLr · γ^(number of milestones ≤ step): decay by γ at each milestone; a repeated milestone decays twice
 * (MultiStepLR).
 * @example schedules.multiStep({ baseLr: 0.1, milestones: [30, 80] })(50); // 0.1 · 0.1 ≈ 0.01
 */
export function multiStep({
  baseLr,
  milestones,
  gamma = 0.1,
}: {
  baseLr: number;
  milestones: readonly number[];
  gamma?: number;
}): Schedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  return (step) => baseLr * gamma ** bisectRight(sorted, step);
}

/**
 * baseLr · γ^step (ExponentialLR).
 * @example schedules.exponential({ baseLr: 0.1, gamma: 0.9 })(2); // 0.081
 */
export const exponential =
  ({ baseLr, gamma }: { baseLr: number; gamma: number }): Schedule =>
  (step) =>
    baseLr * gamma ** step;

/**
 * η_min + (baseLr − η_min)·(1 + cos(π·step / T_max)) / 2: half a cosine from baseLr down to η_min over T_max
 * steps, rising again after (the cosine is periodic), as CosineAnnealingLR.
 * @see Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (2017).
 * @example schedules.cosineAnnealing({ baseLr: 0.1, tMax: 10 })(5); // 0.05
 */
export const cosineAnnealing =
  ({ baseLr, tMax, etaMin = 0 }: { baseLr: number; tMax: number; etaMin?: number }): Schedule =>
  (step) =>
    etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;

/**
 * baseLr · (s + (e − s)·min(step, N) / N): the factor moves linearly from s = startFactor to e = endFactor
 * over N = totalIters steps, then stays (LinearLR; a warm-up when s < e).
 * @example schedules.linear({ baseLr: 0.1, startFactor: 0.5, totalIters: 4 })(2); // 0.075
 */
export const linear =
  ({
    baseLr,
    startFactor = 1 / 3,
    endFactor = 1,
    totalIters = 5,
  }: {
    baseLr: number;
    startFactor?: number;
    endFactor?: number;
    totalIters?: number;
  }): Schedule =>
  (step) =>
    baseLr * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, step)) / totalIters);

/**
 * scale · d_model^−0.5 · min(t^−0.5, t · warmup^−1.5) at step number t ≥ 1 (0 at t = 0): linear warm-up for
 * `warmup` steps to a peak of scale·(d_model·warmup)^−0.5, then decay as 1/√t. The schedule of
 * "Attention Is All You Need" (Vaswani et al., 2017, §5.3), where scale = 1, d_model = 512, warmup = 4000.
 * @example schedules.noam({ dModel: 512, warmup: 4000 })(4000); // ≈ 6.99e-4, the peak
 */
export const noam =
  ({ dModel, warmup, scale = 1 }: { dModel: number; warmup: number; scale?: number }): Schedule =>
  (step) =>
    scale * dModel ** -0.5 * Math.min(step ** -0.5, step * warmup ** -1.5);

/**
 * Runs `schedules[i]` from `milestones[i − 1]` on, each restarted at step 0 (SequentialLR in closed form).
 * @example schedules.sequential([warmup, decay], [10])(12) === decay(2)
 */
export function sequential(schedules: readonly Schedule[], milestones: readonly number[]): Schedule {
  if (milestones.length !== schedules.length - 1) {
    throw new OptimError(
      `sequential: expected ${schedules.length - 1} milestones for ${schedules.length} schedules (got ${milestones.length})`,
    );
  }
  return (step) => {
    const i = bisectRight(milestones, step);
    return schedules[i](step - (i > 0 ? milestones[i - 1] : 0));
  };
}
