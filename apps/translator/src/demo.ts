#!/usr/bin/env node
/**
 * @file The translator demo (`pnpm demo` at the repository root): trains the LSTM + attention translator on the
 * built-in corpus within a few minutes, prints held-out translations beside their references and the test BLEU,
 * and writes `attention.svg` (one held-out sentence's alignment) and `loss.svg` (the loss curve).
 */
import { join } from 'node:path';
import { manualSeed } from '@tensorloom/tensor';
import { isMainModule } from './cli/is-main.js';
import type { ProgressStream } from './cli/progress.js';
import { builtinCorpus } from './corpus/builtin.js';
import type { EncodedPair } from './data/batches.js';
import type { SentencePair } from './data/pair.js';
import { corpusBleu } from './eval/bleu.js';
import { writeFileAtomic } from './io/atomic.js';
import { type AttentionModelConfig, attentionTranslator } from './models/attention.js';
import { attentionHeatmap } from './plots/attention-heatmap.js';
import { lossCurve } from './plots/loss-curve.js';
import { Vocab } from './text/vocab.js';
import { translate } from './train/decode.js';
import { type TrainResult, train } from './train/train.js';

export interface DemoOptions {
  /** Seeds the corpus, the initial weights and the batch order (default 1). */
  seed?: number;
  /** Sentence pairs over train, dev and test (default 12 000; 10% each held out for dev and test). */
  corpusSize?: number;
  /** Longest sentence in tokens, on either side (default 30, the corpus's own maximum). */
  maxLength?: number;
  /** Favours shorter sentences, keeping the 3–30 range (default 1; see builtinCorpus's lengthBias). */
  lengthBias?: number;
  /** Training time budget in minutes (default 2.5) … */
  minutes?: number;
  /** … and/or epochs (default 12), whichever ends first. */
  epochs?: number;
  /** Model sizes (default: embeddings 64, hidden 64, i.e. 32 per encoder direction). */
  model?: Partial<AttentionModelConfig>;
  batchSize?: number;
  lr?: number;
  lrDecay?: number;
  /** Held-out sample translations to print (default 8). */
  samples?: number;
  /** Where attention.svg and loss.svg go (default the current directory). */
  outDir?: string;
  /** Progress bar stream (default process.stderr), or false. */
  progress?: ProgressStream | false;
  /** Where the report lines go (default console.log). */
  log?: (line: string) => void;
}

export interface DemoResult {
  training: TrainResult;
  /** sacreBLEU corpus BLEU of greedy translations of the test split. */
  testBleu: number;
  testSize: number;
  /** Seconds from start to the files written. */
  seconds: number;
  files: string[];
}

const words = (text: string) => text.split(' ');

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const {
    seed = 1,
    corpusSize = 12_000,
    maxLength = 30,
    lengthBias = 1,
    minutes = 2.5,
    epochs = 12,
  } = options;
  const { samples = 8, outDir = '.', log = console.log } = options;
  const start = performance.now();
  manualSeed(seed);
  const corpus = builtinCorpus({ seed, size: corpusSize, maxLength, lengthBias });
  const srcVocab = Vocab.build(corpus.train.map((p) => words(p.src)));
  const tgtVocab = Vocab.build(corpus.train.map((p) => words(p.tgt)));
  const encode = (pairs: readonly SentencePair[]): EncodedPair[] =>
    pairs.map((p) => ({ src: srcVocab.encode(words(p.src)), tgt: tgtVocab.encode(words(p.tgt)) }));
  const [trainSet, devSet, testSet] = [encode(corpus.train), encode(corpus.dev), encode(corpus.test)];
  const model = attentionTranslator({
    srcVocabSize: srcVocab.size,
    tgtVocabSize: tgtVocab.size,
    ...options.model,
  });
  log(
    `built-in corpus: ${trainSet.length} train / ${devSet.length} dev / ${testSet.length} test pairs, ` +
      `vocabularies ${srcVocab.size} → ${tgtVocab.size}; LSTM + attention, ${model.numParameters()} parameters`,
  );

  const training = await train(model, {
    train: trainSet,
    dev: devSet,
    tgtVocab,
    devBleuSize: 300,
    epochs,
    minutes,
    batchSize: options.batchSize ?? 32,
    lr: options.lr ?? 5e-3,
    lrDecay: options.lrDecay ?? 0.8,
    seed,
    progress: options.progress,
  });

  const translations = translate(model, testSet);
  const hypotheses = translations.map((t) => tgtVocab.decode(t.ids).join(' '));
  const testBleu = corpusBleu(
    hypotheses,
    corpus.test.map((p) => p.tgt),
  ).score;
  log('');
  corpus.test.slice(0, samples).forEach((pair, i) => {
    const mark = hypotheses[i] === pair.tgt ? '✓' : '✗';
    log(`  source     ${pair.src}\n  reference  ${pair.tgt}\n  model   ${mark}  ${hypotheses[i]}\n`);
  });
  const exact = hypotheses.filter((h, i) => h === corpus.test[i].tgt).length;
  log(
    `test BLEU ${testBleu.toFixed(1)} (sacreBLEU, greedy, ${testSet.length} held-out sentences; ` +
      `${((100 * exact) / testSet.length).toFixed(0)}% exact) after ${training.steps} steps in ${training.seconds.toFixed(0)} s`,
  );

  // The heatmap: a held-out sentence of middling length, so the picture is readable.
  const shown = pickForHeatmap(corpus.test);
  const weights = translations[shown].attention; // [n, S_batch]
  const files = [join(outDir, 'attention.svg'), join(outDir, 'loss.svg')];
  if (weights) {
    const srcTokens = [...words(corpus.test[shown].src)];
    const tgtTokens = [...translations[shown].ids.map((id) => tgtVocab.token(id)), '<eos>'].slice(
      0,
      weights.shape[0],
    );
    const rows = weights.toArray() as number[][];
    await writeFileAtomic(
      files[0],
      attentionHeatmap({
        sourceTokens: srcTokens,
        targetTokens: tgtTokens,
        weights: rows.slice(0, tgtTokens.length).map((row) => row.slice(0, srcTokens.length)),
        title: 'Bahdanau attention on a held-out sentence',
      }),
    );
  }
  await writeFileAtomic(
    files[1],
    lossCurve({
      train: training.history,
      dev: training.devHistory,
      title: 'LSTM + attention: cross-entropy',
    }),
  );
  log(`wrote ${files.join(' and ')}`);
  return { training, testBleu, testSize: testSet.length, seconds: (performance.now() - start) / 1000, files };
}

function pickForHeatmap(pairs: readonly SentencePair[]): number {
  const index = pairs.findIndex((p) => {
    const n = words(p.src).length;
    return n >= 8 && n <= 14;
  });
  return Math.max(0, index);
}

if (isMainModule(import.meta.url)) {
  const minutes = Number(process.env.DEMO_MINUTES ?? '2.5');
  runDemo({ minutes }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
