/**
 * @file Training under a budget of training time: the app's training loop, stopped once the steps themselves
 * have taken `minutes`, with evaluations at even intervals of training time whose own cost is not counted.
 * So every compared model gets the same time to learn, however slow its decoding is, and its curve is drawn
 * against the time it spent learning.
 */
import type { EncodedPair } from '../data/batches.js';
import type { TranslatorModel } from '../models/translator-model.js';
import { type TrainOptions, type TrainResult, train } from '../train/train.js';

/** The training loop's settings that a budgeted run passes on as they are. */
export type BudgetTrainOptions = Pick<
  TrainOptions,
  'batchSize' | 'lr' | 'lrDecay' | 'warmup' | 'betas' | 'clipNorm' | 'labelSmoothing' | 'seed'
>;

export interface BudgetOptions extends BudgetTrainOptions {
  train: readonly EncodedPair[];
  /** Training time, evaluations left out. */
  minutes: number;
  /** Evaluations at `minutes / evaluations`, 2·that, …, and one more when training stops (default 0: none). */
  evaluations?: number;
  /** Scores the model (dev BLEU, say); called in training mode, it must restore the mode it changes. */
  evaluate?: (model: TranslatorModel) => number;
  /** Called after each evaluation (progress lines). */
  onEvaluation?: (point: CurvePoint) => void;
  /**
   * Taking turns with another run on the same machine: after every `seconds` of training time, `yieldTurn` is
   * awaited (the other run trains meanwhile), and its time is not training time. So both runs meet the machine's
   * changing speed alike: the benchmarks compare the app against PyTorch this way.
   */
  turns?: { seconds: number; yieldTurn: () => Promise<void> };
}

export interface CurvePoint {
  /** Training seconds before this evaluation. */
  seconds: number;
  step: number;
  epoch: number;
  score: number;
}

export interface BudgetResult {
  /** The training loop's own result (its `seconds` include the evaluations). */
  result: TrainResult;
  /** Seconds spent in training steps. */
  trainSeconds: number;
  /** Seconds spent in evaluations. */
  evaluationSeconds: number;
  /** Seconds spent waiting for turns (`turns`). */
  waitedSeconds: number;
  /** Target tokens per second of training time. */
  tokensPerSecond: number;
  curve: CurvePoint[];
}

/**
 * Trains `model` in place until its training steps have taken `minutes`.
 * @example
 * const { curve, tokensPerSecond } = await trainWithBudget(model, {
 *   train: pairs, minutes: 5, batchSize: 32, lr: 5e-3, evaluations: 10, evaluate: (m) => devBleu(m),
 * });
 */
export async function trainWithBudget(model: TranslatorModel, options: BudgetOptions): Promise<BudgetResult> {
  const { minutes, evaluations = 0, evaluate, train: pairs, onEvaluation, turns, ...trainOptions } = options;
  if (!(minutes > 0)) throw new RangeError(`trainWithBudget: minutes must be > 0 (got ${minutes})`);
  if (!Number.isInteger(evaluations) || evaluations < 0) {
    throw new RangeError(`trainWithBudget: evaluations must be an integer ≥ 0 (got ${evaluations})`);
  }
  if (turns && !(turns.seconds > 0)) {
    throw new RangeError(`trainWithBudget: turns.seconds must be > 0 (got ${turns.seconds})`);
  }
  const budget = minutes * 60;
  const interval = evaluations > 0 ? budget / evaluations : Number.POSITIVE_INFINITY;
  const curve: CurvePoint[] = [];
  const controller = new AbortController();
  const start = performance.now();
  let paused = 0;
  let waited = 0;
  const trainingSeconds = () => (performance.now() - start) / 1000 - paused - waited;
  let turnBegan = 0;
  const evaluateNow = (step: number, epoch: number) => {
    if (!evaluate) return;
    const seconds = trainingSeconds();
    const began = performance.now();
    const score = evaluate(model);
    paused += (performance.now() - began) / 1000;
    const point = { seconds, step, epoch, score };
    curve.push(point);
    onEvaluation?.(point);
  };
  let nextEvaluation = interval;
  const result = await train(model, {
    ...trainOptions,
    train: pairs,
    // The budget is enforced here, on training time alone; the loop's own clock also counts evaluations.
    epochs: Number.MAX_SAFE_INTEGER,
    progress: false,
    signal: controller.signal,
    onStep: async (state) => {
      const seconds = trainingSeconds();
      if (seconds >= budget) {
        controller.abort();
        return;
      }
      if (seconds >= nextEvaluation) {
        evaluateNow(state.step, state.epoch);
        while (nextEvaluation <= seconds) nextEvaluation += interval;
      }
      if (turns && seconds - turnBegan >= turns.seconds) {
        const began = performance.now();
        await turns.yieldTurn();
        waited += (performance.now() - began) / 1000;
        turnBegan = trainingSeconds();
      }
    },
  });
  const trainSeconds = trainingSeconds();
  evaluateNow(result.steps, result.state.epoch);
  return {
    result,
    trainSeconds,
    evaluationSeconds: paused,
    waitedSeconds: waited,
    tokensPerSecond: result.state.tokens / Math.max(trainSeconds, 1e-9),
    curve,
  };
}
