/**
 * @file The training loop for the sequence-to-sequence translators: length-bucketed batches, teacher forcing,
 * cross-entropy over real target tokens, Adam with gradient-norm clipping, a progress bar, a time budget and/or
 * an epoch count, and after each epoch the dev loss and (given the target vocabulary) the dev BLEU of greedy
 * translations.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import type { Seq2Seq } from '@tensorloom/nn-rnn';
import { Adam, clipGradNorm } from '@tensorloom/optim';
import { noGrad } from '@tensorloom/tensor';
import { ProgressBar, type ProgressStream } from '../cli/progress.js';
import { batches, type EncodedPair } from '../data/batches.js';
import { corpusBleu } from '../eval/bleu.js';
import type { DevLossPoint, LossPoint } from '../plots/loss-curve.js';
import type { Vocab } from '../text/vocab.js';
import { translate } from './decode.js';

export interface TrainOptions {
  train: readonly EncodedPair[];
  /** Held-out pairs for the per-epoch dev loss and BLEU (default none). */
  dev?: readonly EncodedPair[];
  /** Decodes dev hypotheses and references to text for BLEU; without it, no dev BLEU. */
  tgtVocab?: Vocab;
  /** Stop after this many epochs (default: as many as `minutes` allows; one of the two is required). */
  epochs?: number;
  /** Stop once this much wall time has passed, checked after every step; at least one step runs (default: no limit). */
  minutes?: number;
  /** Sentences per batch (default 64). */
  batchSize?: number;
  /** Adam's learning rate (default 3e-3). */
  lr?: number;
  /** Multiplies the learning rate after each epoch (default 1: constant). */
  lrDecay?: number;
  /** Clip the global gradient L2 norm to this (default 1). */
  clipNorm?: number;
  /** Shuffling seed; epoch e shuffles with seed + e (default 0). */
  seed?: number;
  /** Where the progress bar draws (default process.stderr); false for none. */
  progress?: ProgressStream | false;
  /** Dev sentences decoded for BLEU each epoch (default all of `dev`). */
  devBleuSize?: number;
}

export interface EpochReport {
  epoch: number;
  step: number;
  trainLoss: number;
  devLoss?: number;
  devBleu?: number;
  seconds: number;
}

export interface TrainResult {
  /** Training loss after every step. */
  history: LossPoint[];
  /** Dev loss at the end of each epoch. */
  devHistory: DevLossPoint[];
  epochs: EpochReport[];
  steps: number;
  seconds: number;
  /** Target tokens per second over the whole run. */
  tokensPerSecond: number;
}

/** Trains `model` in place with teacher forcing and returns the loss history. */
export function train(model: Seq2Seq, options: TrainOptions): TrainResult {
  const { batchSize = 64, lr = 3e-3, lrDecay = 1, clipNorm = 1, seed = 0, dev = [], tgtVocab } = options;
  const { epochs = Number.POSITIVE_INFINITY, minutes = Number.POSITIVE_INFINITY } = options;
  if (!Number.isFinite(epochs) && !Number.isFinite(minutes)) {
    throw new RangeError('train: give epochs or minutes (got neither)');
  }
  if (options.train.length === 0) throw new RangeError('train: no training pairs');
  const optimizer = new Adam(model.parameters(), { lr });
  const stepsPerEpoch = Math.ceil(options.train.length / batchSize);
  const bar =
    options.progress === false
      ? null
      : new ProgressBar({
          stream: options.progress,
          stepsPerEpoch,
          epochs: Number.isFinite(epochs) ? epochs : undefined,
        });
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  const outOfTime = () => elapsed() > minutes * 60;
  const history: LossPoint[] = [];
  const devHistory: DevLossPoint[] = [];
  const reports: EpochReport[] = [];
  let step = 0;
  let tokens = 0;
  model.train();
  for (let epoch = 1; epoch <= epochs && (epoch === 1 || !outOfTime()); epoch++) {
    let epochLoss = 0;
    let epochTokens = 0;
    for (const batch of batches(options.train, { batchSize, seed: seed + epoch })) {
      const { logits } = model.forward(batch.src, batch.srcLengths, batch.decoderInput); // [B, T, V]
      const { loss } = sequenceCrossEntropy(logits, batch.target, { padIndex: 0 }); // mean over real tokens
      optimizer.zeroGrad();
      loss.backward();
      clipGradNorm(model.parameters(), clipNorm);
      optimizer.step();
      const value = loss.item();
      step++;
      tokens += batch.numTargetTokens;
      epochLoss += value * batch.numTargetTokens;
      epochTokens += batch.numTargetTokens;
      history.push({ step, loss: value });
      bar?.update({ epoch, step, loss: value, tokens: batch.numTargetTokens });
      if (outOfTime()) break;
    }
    const report: EpochReport = { epoch, step, trainLoss: epochLoss / epochTokens, seconds: elapsed() };
    if (dev.length > 0) {
      report.devLoss = evaluateLoss(model, dev, batchSize);
      devHistory.push({ step, epoch, loss: report.devLoss });
      if (tgtVocab) report.devBleu = evaluateBleu(model, dev.slice(0, options.devBleuSize), tgtVocab);
    }
    reports.push(report);
    bar?.log(formatEpoch(report));
    for (const group of optimizer.paramGroups) group.lr *= lrDecay;
  }
  bar?.done();
  const seconds = elapsed();
  return { history, devHistory, epochs: reports, steps: step, seconds, tokensPerSecond: tokens / seconds };
}

/** Mean cross-entropy per real target token over `pairs`, teacher-forced, in eval mode. */
export function evaluateLoss(model: Seq2Seq, pairs: readonly EncodedPair[], batchSize = 128): number {
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let count = 0;
  noGrad(() => {
    for (const batch of batches(pairs, { batchSize, shuffle: false })) {
      const { logits } = model.forward(batch.src, batch.srcLengths, batch.decoderInput); // [B, T, V]
      const { loss } = sequenceCrossEntropy(logits, batch.target, { padIndex: 0, reduction: 'sum' });
      total += loss.item();
      count += batch.numTargetTokens;
    }
  });
  if (wasTraining) model.train();
  return total / count;
}

/** Corpus BLEU (sacreBLEU's defaults) of greedy translations of `pairs` against their targets. */
export function evaluateBleu(model: Seq2Seq, pairs: readonly EncodedPair[], vocab: Vocab): number {
  const text = (ids: readonly number[]) => vocab.decode(ids).join(' ');
  const hypotheses = translate(model, pairs).map((t) => text(t.ids));
  return corpusBleu(
    hypotheses,
    pairs.map((p) => text(p.tgt)),
  ).score;
}

function formatEpoch(r: EpochReport): string {
  const parts = [`epoch ${r.epoch}`, `step ${r.step}`, `train loss ${r.trainLoss.toFixed(3)}`];
  if (r.devLoss !== undefined) parts.push(`dev loss ${r.devLoss.toFixed(3)}`);
  if (r.devBleu !== undefined) parts.push(`dev BLEU ${r.devBleu.toFixed(1)}`);
  parts.push(`${r.seconds.toFixed(0)} s`);
  return parts.join(' · ');
}
