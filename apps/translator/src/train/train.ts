/**
 * @file The training loop for every translator (see models/translator-model.ts): length-bucketed batches,
 * teacher forcing, cross-entropy over real target tokens (optionally label-smoothed), Adam with gradient-norm
 * clipping and either a per-epoch decay or the inverse-square-root warm-up schedule, a progress bar, a time
 * budget and/or an epoch count, and after each epoch the dev loss, dev BLEU and early stopping. It can stop
 * when asked (Ctrl-C), hand its state to a checkpoint writer, and resume from that state exactly.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import {
  Adam,
  clipGradNorm,
  InverseSqrtLR,
  type LoadableStateDict,
  type OptimizerStateDict,
} from '@tensorloom/optim';
import { defaultGenerator, noGrad } from '@tensorloom/tensor';
import { ProgressBar, type ProgressStream } from '../cli/progress.js';
import { batches, collate, type EncodedPair, planBatches } from '../data/batches.js';
import { corpusBleu } from '../eval/bleu.js';
import type { TranslatorModel } from '../models/translator-model.js';
import type { DevLossPoint, LossPoint } from '../plots/loss-curve.js';
import type { Vocab } from '../text/vocab.js';
import { translate } from './decode.js';
import {
  type EpochReport,
  initialTrainerState,
  randomFromJson,
  randomToJson,
  type TrainerState,
} from './trainer-state.js';

export type { EpochReport, TrainerState } from './trainer-state.js';

export interface TrainOptions {
  train: readonly EncodedPair[];
  /** Held-out pairs for the per-epoch dev loss and BLEU (default none). */
  dev?: readonly EncodedPair[];
  /** Target ids → text, for dev BLEU (hypotheses and references alike); without it (or tgtVocab), no dev BLEU. */
  decodeTarget?: (ids: readonly number[]) => string;
  /** Shorthand for decodeTarget: the vocabulary's tokens joined by spaces. */
  tgtVocab?: Vocab;
  /** Stop after this many epochs in all (default: as many as `minutes` allows; one of the two is required). */
  epochs?: number;
  /** Stop once this much training time has passed in all, checked after every step (default: no limit). */
  minutes?: number;
  /** Sentences per batch (default 64). */
  batchSize?: number;
  /** Adam's learning rate; with `warmup`, the peak of the schedule (default 3e-3). */
  lr?: number;
  /** Multiplies the learning rate after each epoch (default 1: constant). Ignored with `warmup`. */
  lrDecay?: number;
  /** Inverse-square-root schedule: the lr rises linearly to `lr` over this many steps, then falls as 1/√step. */
  warmup?: number;
  /** Adam's betas (default [0.9, 0.999]; the Transformer paper used [0.9, 0.98]). */
  betas?: [number, number];
  /** Clip the global gradient L2 norm to this (default 1). */
  clipNorm?: number;
  /** Label smoothing ε of the training loss (default 0); dev loss is always plain cross-entropy. */
  labelSmoothing?: number;
  /** Stop after this many epochs without a better dev score (BLEU, else dev loss); default: never. */
  patience?: number;
  /** Shuffling seed; epoch e shuffles with seed + e (default 0). */
  seed?: number;
  /** Where the progress bar draws (default process.stderr); false for none. */
  progress?: ProgressStream | false;
  /** Dev sentences decoded for BLEU each epoch (default all of `dev`). */
  devBleuSize?: number;
  /** Continue a run from a checkpoint's states instead of starting afresh. */
  resume?: ResumeState;
  /** Called after every epoch, when the run stops early, and when interrupted: the place to write checkpoints. */
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
  /**
   * Called after every step (progress reporting, or aborting at a given step); a returned promise is awaited
   * before the next step.
   */
  onStep?: (state: Readonly<TrainerState>) => void | Promise<void>;
  /** Aborting stops the run after the current step, with a checkpoint (reason 'interrupted'). */
  signal?: AbortSignal;
}

export interface ResumeState {
  trainer: TrainerState;
  optimizer: LoadableStateDict;
  scheduler?: Record<string, unknown> | null;
}

export interface TrainingCheckpoint extends ResumeState {
  reason: 'epoch' | 'interrupted';
  /** This epoch's dev score is the best so far. */
  isBest: boolean;
  optimizer: OptimizerStateDict;
}

export interface TrainResult {
  /** Training loss after every step. */
  history: LossPoint[];
  /** Dev loss at the end of each epoch. */
  devHistory: DevLossPoint[];
  epochs: EpochReport[];
  steps: number;
  /** Training seconds, over every session of a resumed run. */
  seconds: number;
  /** Target tokens per second over the whole run. */
  tokensPerSecond: number;
  /** Why it stopped. */
  stopped: 'epochs' | 'time' | 'early-stopping' | 'interrupted';
  state: TrainerState;
}

/** Trains `model` in place with teacher forcing and returns the loss history. */
export async function train(model: TranslatorModel, options: TrainOptions): Promise<TrainResult> {
  const { batchSize = 64, lr = 3e-3, lrDecay = 1, clipNorm = 1, seed = 0, dev = [] } = options;
  const {
    epochs = Number.POSITIVE_INFINITY,
    minutes = Number.POSITIVE_INFINITY,
    labelSmoothing = 0,
  } = options;
  if (!Number.isFinite(epochs) && !Number.isFinite(minutes)) {
    throw new RangeError('train: give epochs or minutes (got neither)');
  }
  if (options.train.length === 0) throw new RangeError('train: no training pairs');
  const decodeTarget = options.decodeTarget ?? vocabText(options.tgtVocab);
  const parameters = model.parameters(); // walked once, not on every step
  const optimizer = new Adam(parameters, options.betas ? { lr, betas: options.betas } : { lr });
  const scheduler =
    options.warmup === undefined
      ? null
      : new InverseSqrtLR(optimizer, {
          dModel: 1,
          warmup: options.warmup,
          scale: lr * Math.sqrt(options.warmup),
        });
  const state = options.resume
    ? structuredClone(options.resume.trainer)
    : initialTrainerState(defaultGenerator.getState());
  if (options.resume) {
    optimizer.loadStateDict(options.resume.optimizer);
    if (scheduler && options.resume.scheduler) scheduler.loadStateDict(options.resume.scheduler);
    defaultGenerator.setState(randomFromJson(state.random));
    state.finished = null; // a new budget may continue a finished run
  }
  const stepsPerEpoch = Math.ceil(options.train.length / batchSize);
  const bar =
    options.progress === false
      ? null
      : new ProgressBar({
          stream: options.progress,
          stepsPerEpoch,
          epochs: Number.isFinite(epochs) ? epochs : undefined,
        });
  const sessionStart = performance.now();
  const secondsBefore = state.seconds;
  const elapsed = () => secondsBefore + (performance.now() - sessionStart) / 1000;
  const outOfTime = () => elapsed() > minutes * 60;
  const checkpoint = async (reason: TrainingCheckpoint['reason'], isBest: boolean) => {
    state.seconds = elapsed();
    state.random = randomToJson(defaultGenerator.getState());
    await options.onCheckpoint?.({
      reason,
      isBest,
      trainer: structuredClone(state),
      optimizer: optimizer.stateDict(),
      scheduler: scheduler?.stateDict() ?? null,
    });
  };

  model.train();
  let stopped: TrainResult['stopped'] | null = null;
  if (state.epoch > epochs) stopped = 'epochs';
  while (stopped === null) {
    const plan = planBatches(options.train, { batchSize, seed: seed + state.epoch });
    let timeUp = false;
    for (let i = state.batchInEpoch; i < plan.length; i++) {
      const batch = collate(options.train, plan[i]);
      const { logits } = model.forwardBatch(batch); // [B, T, V]
      const { loss } = sequenceCrossEntropy(logits, batch.target, { padIndex: 0, labelSmoothing });
      optimizer.zeroGrad();
      loss.backward();
      clipGradNorm(parameters, clipNorm);
      optimizer.step();
      scheduler?.step();
      const value = loss.item();
      state.step++;
      state.batchInEpoch = i + 1;
      state.tokens += batch.numTargetTokens;
      state.epochLoss += value * batch.numTargetTokens;
      state.epochTokens += batch.numTargetTokens;
      state.history.push({ step: state.step, loss: value });
      bar?.update({ epoch: state.epoch, step: state.step, loss: value, tokens: batch.numTargetTokens });
      await options.onStep?.(state);
      await yieldToEventLoop(); // lets a Ctrl-C handler run between steps
      if (options.signal?.aborted) {
        bar?.log(`interrupted at epoch ${state.epoch}, step ${state.step}`);
        await checkpoint('interrupted', false);
        stopped = 'interrupted';
        break;
      }
      if (outOfTime()) {
        timeUp = true;
        break;
      }
    }
    if (stopped) break;

    const report: EpochReport = {
      epoch: state.epoch,
      step: state.step,
      trainLoss: state.epochLoss / Math.max(1, state.epochTokens),
      seconds: elapsed(),
    };
    let isBest = false;
    if (dev.length > 0) {
      report.devLoss = evaluateLoss(model, dev, batchSize);
      state.devHistory.push({ step: state.step, epoch: state.epoch, loss: report.devLoss });
      if (decodeTarget) report.devBleu = evaluateBleu(model, dev.slice(0, options.devBleuSize), decodeTarget);
      const score = report.devBleu ?? -report.devLoss;
      isBest = state.best === null || score > state.best.score;
      if (isBest) state.best = { score, epoch: state.epoch };
      state.epochsSinceBest = isBest ? 0 : state.epochsSinceBest + 1;
    }
    state.epochs.push(report);
    bar?.log(formatEpoch(report, isBest && state.epoch > 1));
    if (!scheduler) for (const group of optimizer.paramGroups) group.lr *= lrDecay;
    state.epoch++;
    state.batchInEpoch = 0;
    state.epochLoss = 0;
    state.epochTokens = 0;
    if (timeUp || outOfTime()) stopped = 'time';
    else if (state.epoch > epochs) stopped = 'epochs';
    else if (options.patience !== undefined && state.epochsSinceBest >= options.patience)
      stopped = 'early-stopping';
    state.finished = stopped === null ? null : (stopped as TrainerState['finished']);
    await checkpoint('epoch', isBest);
  }
  bar?.done();
  model.train();
  const seconds = elapsed();
  return {
    history: state.history,
    devHistory: state.devHistory,
    epochs: state.epochs,
    steps: state.step,
    seconds,
    tokensPerSecond: state.tokens / Math.max(seconds, 1e-9),
    stopped: stopped ?? 'epochs',
    state,
  };
}

/** Mean cross-entropy per real target token over `pairs`, teacher-forced, in eval mode. */
export function evaluateLoss(model: TranslatorModel, pairs: readonly EncodedPair[], batchSize = 128): number {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let count = 0;
  noGrad(() => {
    for (const batch of batches(pairs, { batchSize, shuffle: false })) {
      const { logits } = model.forwardBatch(batch); // [B, T, V]
      const { loss } = sequenceCrossEntropy(logits, batch.target, { padIndex: 0, reduction: 'sum' });
      total += loss.item();
      count += batch.numTargetTokens;
    }
  });
  if (wasTraining) model.train();
  return total / count;
}

/** Corpus BLEU (sacreBLEU's defaults) of greedy translations of `pairs` against their targets. */
export function evaluateBleu(
  model: TranslatorModel,
  pairs: readonly EncodedPair[],
  decodeTarget: ((ids: readonly number[]) => string) | Vocab,
): number {
  const text =
    typeof decodeTarget === 'function'
      ? decodeTarget
      : (vocabText(decodeTarget) as (ids: readonly number[]) => string);
  const hypotheses = translate(model, pairs).map((t) => text(t.ids));
  return corpusBleu(
    hypotheses,
    pairs.map((p) => text(p.tgt)),
  ).score;
}

function vocabText(vocab: Vocab | undefined): ((ids: readonly number[]) => string) | undefined {
  return vocab && ((ids) => vocab.decode(ids).join(' '));
}

/** One macrotask turn, so that signal handlers (Ctrl-C) run while the synchronous steps go on. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

function formatEpoch(r: EpochReport, best: boolean): string {
  const parts = [`epoch ${r.epoch}`, `step ${r.step}`, `train loss ${r.trainLoss.toFixed(3)}`];
  if (r.devLoss !== undefined) parts.push(`dev loss ${r.devLoss.toFixed(3)}`);
  if (r.devBleu !== undefined) parts.push(`dev BLEU ${r.devBleu.toFixed(1)}${best ? ' (best)' : ''}`);
  parts.push(`${r.seconds.toFixed(0)} s`);
  return parts.join(' · ');
}
