/**
 * @file The train command's options: what each means, its default per model kind, and how the values become
 * the saved training settings and the model configuration.
 */
import type { ModelConfig } from '../../models/config.js';
import type { ModelKind } from '../../models/translator-model.js';
import type { TokenizerSettings } from '../../text/text-codec.js';
import {
  choiceOption,
  defined,
  flag,
  numberOption,
  type ParsedArgs,
  stringOption,
  UsageError,
} from '../args.js';

interface OptionHelp {
  type: 'string' | 'boolean';
  help: string;
}

/** Every train option with its help line, in the order `translator help train` lists them. */
export const trainOptions: Record<string, OptionHelp> = {
  model: { type: 'string', help: 'lstm | attention | transformer (default attention)' },
  data: { type: 'string', help: 'training pairs (default builtin)' },
  dev: {
    type: 'string',
    help: 'dev pairs for dev loss, BLEU, best checkpoint, early stopping (builtin:dev with builtin data)',
  },
  src: { type: 'string', help: 'source language code (default en)' },
  tgt: { type: 'string', help: 'target language code (default fr)' },
  out: { type: 'string', help: 'checkpoint directory (required)' },
  resume: { type: 'string', help: 'continue the run whose checkpoints are in this directory' },
  epochs: { type: 'string', help: 'stop after this many epochs in all' },
  minutes: { type: 'string', help: 'stop after this much training time in all' },
  'batch-size': { type: 'string', help: 'sentences per batch (default 32, transformer 64)' },
  lr: { type: 'string', help: 'learning rate, or the warm-up peak (default 5e-3; transformer 1e-3)' },
  'lr-decay': {
    type: 'string',
    help: 'multiply the lr by this after each epoch (default 0.8; not with --warmup)',
  },
  warmup: {
    type: 'string',
    help: 'inverse-square-root schedule with this many warm-up steps (transformer default 400)',
  },
  clip: { type: 'string', help: 'clip the gradient norm to this (default 1)' },
  'label-smoothing': { type: 'string', help: 'label smoothing ε (default 0; transformer 0.1)' },
  patience: {
    type: 'string',
    help: 'stop after this many epochs without a better dev BLEU (default: never)',
  },
  seed: { type: 'string', help: 'seed for weights, batch order and dropout (default 1)' },
  lowercase: { type: 'boolean', help: 'lowercase both sides' },
  'max-length': { type: 'string', help: 'drop pairs with a side longer than this many tokens (default 50)' },
  strict: { type: 'boolean', help: 'fail on the first malformed line instead of skipping it' },
  tokenizer: { type: 'string', help: 'word | bpe (default word)' },
  'vocab-size': { type: 'string', help: 'BPE symbols to learn (default 8000)' },
  'min-freq': { type: 'string', help: 'word vocabularies keep tokens seen this often (default 1)' },
  'dev-bleu-size': { type: 'string', help: 'dev sentences translated for BLEU each epoch (default 500)' },
  layers: { type: 'string', help: 'layers on each side' },
  hidden: { type: 'string', help: 'hidden size (LSTM) or d_model (transformer)' },
  embedding: { type: 'string', help: 'embedding width (recurrent models)' },
  dropout: { type: 'string', help: 'dropout probability' },
  bidirectional: { type: 'boolean', help: 'lstm: bidirectional encoder' },
  'reverse-source': {
    type: 'boolean',
    help: 'lstm: feed the source reversed (Sutskever et al.; the default)',
  },
  'no-reverse-source': { type: 'boolean', help: 'lstm: feed the source in its own order' },
  'teacher-forcing': { type: 'string', help: 'recurrent models: teacher-forcing ratio (default 1)' },
  attention: { type: 'string', help: 'attention: bahdanau | luong-dot | luong-general | luong-concat' },
  heads: { type: 'string', help: 'transformer: attention heads' },
  'ff-size': { type: 'string', help: 'transformer: feed-forward width' },
  positions: { type: 'string', help: 'transformer: sinusoidal | learned' },
  'share-embeddings': {
    type: 'boolean',
    help: 'transformer: one joint vocabulary and one embedding matrix for both sides',
  },
  'untied-output': {
    type: 'boolean',
    help: 'transformer: an output projection of its own, not the target embedding',
  },
};

export const trainOptionSpec = Object.fromEntries(
  Object.entries(trainOptions).map(([name, { type }]) => [name, { type }]),
) as Record<string, { type: 'string' | 'boolean' }>;

/** What config.json's "training" holds: everything needed to run the same training again. */
export interface TrainSettings {
  data: string;
  dev: string | null;
  src: string;
  tgt: string;
  out?: string;
  lowercase: boolean;
  maxLength: number;
  strict: boolean;
  tokenizer: TokenizerSettings;
  /** One vocabulary built from both sides (what shared source/target embeddings need). */
  jointVocab: boolean;
  epochs?: number;
  minutes?: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  warmup?: number;
  betas?: [number, number];
  clipNorm: number;
  labelSmoothing: number;
  patience?: number;
  seed: number;
  devBleuSize: number;
}

const kinds: readonly ModelKind[] = ['lstm', 'attention', 'transformer'];

export function modelKind(args: ParsedArgs): ModelKind {
  return choiceOption(args, 'model', kinds) ?? 'attention';
}

/** The settings from the command line, with each model kind's defaults. */
export function settingsFromArgs(args: ParsedArgs): TrainSettings {
  const kind = modelKind(args);
  const transformer = kind === 'transformer';
  const data = stringOption(args, 'data') ?? 'builtin';
  const epochs = numberOption(args, 'epochs', { integer: true, min: 1 });
  const minutes = numberOption(args, 'minutes', { min: 0 });
  if (epochs === undefined && minutes === undefined) {
    throw new UsageError('translator train: give --epochs N or --minutes N (or both)');
  }
  const warmup = numberOption(args, 'warmup', { integer: true, min: 1 }) ?? (transformer ? 400 : undefined);
  return {
    data,
    dev: stringOption(args, 'dev') ?? (data.startsWith('builtin') ? 'builtin:dev' : null),
    src: stringOption(args, 'src') ?? 'en',
    tgt: stringOption(args, 'tgt') ?? 'fr',
    out: stringOption(args, 'out'),
    lowercase: flag(args, 'lowercase') ?? false,
    maxLength: numberOption(args, 'max-length', { integer: true, min: 1 }) ?? 50,
    strict: flag(args, 'strict') ?? false,
    tokenizer: defined({
      kind: choiceOption(args, 'tokenizer', ['word', 'bpe'] as const) ?? 'word',
      lowercase: flag(args, 'lowercase') ?? false,
      bpeVocabSize: numberOption(args, 'vocab-size', { integer: true, min: 1 }),
      minFrequency: numberOption(args, 'min-freq', { integer: true, min: 1 }),
    }),
    jointVocab: flag(args, 'share-embeddings') ?? false,
    ...defined({
      epochs,
      minutes,
      warmup,
      patience: numberOption(args, 'patience', { integer: true, min: 1 }),
    }),
    batchSize: numberOption(args, 'batch-size', { integer: true, min: 1 }) ?? (transformer ? 64 : 32),
    lr: numberOption(args, 'lr', { min: 0 }) ?? (transformer ? 1e-3 : 5e-3),
    lrDecay: numberOption(args, 'lr-decay', { min: 0, max: 1 }) ?? (warmup === undefined ? 0.8 : 1),
    ...(transformer ? { betas: [0.9, 0.98] as [number, number] } : {}),
    clipNorm: numberOption(args, 'clip', { min: 0 }) ?? 1,
    labelSmoothing: numberOption(args, 'label-smoothing', { min: 0, max: 1 }) ?? (transformer ? 0.1 : 0),
    seed: numberOption(args, 'seed', { integer: true, min: 0 }) ?? 1,
    devBleuSize: numberOption(args, 'dev-bleu-size', { integer: true, min: 1 }) ?? 500,
  };
}

/** The model configuration from the command line; unset options take the model's own defaults. */
export function modelConfigFromArgs(
  args: ParsedArgs,
  srcVocabSize: number,
  tgtVocabSize: number,
): ModelConfig {
  const kind = modelKind(args);
  const common = defined({
    srcVocabSize,
    tgtVocabSize,
    numLayers: numberOption(args, 'layers', { integer: true, min: 1 }),
    dropout: numberOption(args, 'dropout', { min: 0, max: 1 }),
  });
  const only = (names: string[]) => {
    for (const name of names) {
      if (args.values[name] !== undefined)
        throw new UsageError(`translator train: --${name} does not apply to --model ${kind}`);
    }
  };
  if (kind === 'transformer') {
    only([
      'embedding',
      'bidirectional',
      'reverse-source',
      'no-reverse-source',
      'teacher-forcing',
      'attention',
    ]);
    const { numLayers, ...rest } = common;
    return {
      kind,
      ...rest,
      ...defined({
        numEncoderLayers: numLayers,
        numDecoderLayers: numLayers,
        dModel: numberOption(args, 'hidden', { integer: true, min: 1 }),
        nhead: numberOption(args, 'heads', { integer: true, min: 1 }),
        dimFeedforward: numberOption(args, 'ff-size', { integer: true, min: 1 }),
        positions: choiceOption(args, 'positions', ['sinusoidal', 'learned'] as const),
        shareEmbeddings: flag(args, 'share-embeddings'),
        tieOutput: flag(args, 'untied-output') ? false : undefined,
      }),
    } as ModelConfig;
  }
  only([
    'heads',
    'ff-size',
    'positions',
    'share-embeddings',
    'untied-output',
    ...(kind === 'lstm' ? ['attention'] : ['reverse-source', 'no-reverse-source']),
  ]);
  const recurrent = defined({
    hiddenSize: numberOption(args, 'hidden', { integer: true, min: 1 }),
    embeddingDim: numberOption(args, 'embedding', { integer: true, min: 1 }),
    teacherForcingRatio: numberOption(args, 'teacher-forcing', { min: 0, max: 1 }),
  });
  if (kind === 'lstm') {
    return {
      kind,
      ...common,
      ...recurrent,
      ...defined({ bidirectional: flag(args, 'bidirectional'), reverseSource: reverseSource(args) }),
    } as ModelConfig;
  }
  return {
    kind,
    ...common,
    ...recurrent,
    ...defined({
      attention: choiceOption(args, 'attention', [
        'bahdanau',
        'luong-dot',
        'luong-general',
        'luong-concat',
      ] as const),
    }),
  } as ModelConfig;
}

function reverseSource(args: ParsedArgs): boolean | undefined {
  if (flag(args, 'reverse-source') && flag(args, 'no-reverse-source')) {
    throw new UsageError('translator train: --reverse-source and --no-reverse-source contradict each other');
  }
  return flag(args, 'no-reverse-source') ? false : flag(args, 'reverse-source');
}
