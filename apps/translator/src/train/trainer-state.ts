/**
 * @file Where a training run stands, as plain JSON: enough, with the weights and the optimizer state, to resume
 * it so that it ends exactly as an uninterrupted run with the same seed would (same batches in the same order,
 * same dropout masks, same updates).
 */
import type { DevLossPoint, LossPoint } from '../plots/loss-curve.js';

export interface EpochReport {
  epoch: number;
  step: number;
  trainLoss: number;
  devLoss?: number;
  devBleu?: number;
  seconds: number;
}

export interface TrainerState {
  version: 1;
  /** The epoch in progress (1-based); `batchInEpoch` batches of it are done. */
  epoch: number;
  batchInEpoch: number;
  /** Optimizer steps so far. */
  step: number;
  /** Target tokens trained on so far. */
  tokens: number;
  /** Training seconds so far, over every session of this run. */
  seconds: number;
  /** Loss sums of the epoch in progress (for its mean train loss). */
  epochLoss: number;
  epochTokens: number;
  /** The global random stream (dropout masks, scheduled sampling), from Generator.getState (NaN as null). */
  random: (number | null)[];
  history: LossPoint[];
  devHistory: DevLossPoint[];
  epochs: EpochReport[];
  /** The best dev score so far (BLEU, or −loss without BLEU) and the epoch that reached it. */
  best: { score: number; epoch: number } | null;
  /** Epochs since the best one: early stopping ends the run when this reaches the patience. */
  epochsSinceBest: number;
  /** Why the run ended, once it has. */
  finished: 'epochs' | 'time' | 'early-stopping' | null;
}

export function initialTrainerState(random: readonly number[]): TrainerState {
  return {
    version: 1,
    epoch: 1,
    batchInEpoch: 0,
    step: 0,
    tokens: 0,
    seconds: 0,
    epochLoss: 0,
    epochTokens: 0,
    random: randomToJson(random),
    history: [],
    devHistory: [],
    epochs: [],
    best: null,
    epochsSinceBest: 0,
    finished: null,
  };
}

/** Generator.getState() holds NaN for "no spare normal"; JSON has no NaN. */
export function randomToJson(state: readonly number[]): (number | null)[] {
  return state.map((v) => (Number.isNaN(v) ? null : v));
}

export function randomFromJson(state: readonly (number | null)[]): number[] {
  return state.map((v) => v ?? Number.NaN);
}

/** Checks a parsed trainer.json enough to fail with a clear message rather than resume wrongly. */
export function checkTrainerState(value: unknown, source: string): TrainerState {
  const state = value as Partial<TrainerState> | null;
  const fields: (keyof TrainerState)[] = ['epoch', 'batchInEpoch', 'step', 'tokens', 'seconds'];
  if (typeof state !== 'object' || state === null || state.version !== 1) {
    throw new Error(`${source}: not a trainer state (expected { version: 1, … })`);
  }
  for (const field of fields) {
    if (typeof state[field] !== 'number' || !Number.isFinite(state[field] as number)) {
      throw new Error(`${source}: trainer state field "${field}" must be a finite number`);
    }
  }
  if (!Array.isArray(state.random) || state.random.length !== 5) {
    throw new Error(`${source}: trainer state field "random" must hold the 5 numbers of a generator state`);
  }
  return state as TrainerState;
}
