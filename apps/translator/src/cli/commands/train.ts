/**
 * @file `translator train`: loads the data, builds the tokenizers and the model, trains with a progress bar,
 * and writes checkpoints under --out: `last` after every epoch (and on Ctrl-C), `best` whenever the dev score
 * improves. `--resume DIR` continues a run from DIR/last with its saved settings, ending exactly where the
 * uninterrupted run would have.
 */
import { dirname, join } from 'node:path';
import { parseSafetensors } from '@tensorloom/nn';
import { manualSeed } from '@tensorloom/tensor';
import { type CheckpointConfig, checkpointFormat } from '../../checkpoint/config.js';
import { findCheckpoint, loadCheckpoint, saveCheckpoint } from '../../checkpoint/files.js';
import type { EncodedPair } from '../../data/batches.js';
import { loadCorpus } from '../../data/load-corpus.js';
import type { SentencePair } from '../../data/pair.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { buildModel, resolveModelConfig } from '../../models/build.js';
import type { ModelConfig } from '../../models/config.js';
import { lossCurve } from '../../plots/loss-curve.js';
import { TextCodec, tokenizersFromJson, tokenizersToJson } from '../../text/text-codec.js';
import { type ResumeState, type TrainOptions, train } from '../../train/train.js';
import { defined, numberOption, type ParsedArgs, parse, stringOption, UsageError } from '../args.js';
import {
  modelConfigFromArgs,
  settingsFromArgs,
  type TrainSettings,
  trainOptions as trainOptionHelp,
  trainOptionSpec,
} from './train-settings.js';

export const trainUsage = `translator train --model lstm|attention|transformer [--data SPEC] [--dev SPEC] --out DIR
                [--epochs N | --minutes N] [options]
translator train --resume DIR [--epochs N] [--minutes N]

Data: SPEC is "builtin" (the built-in corpus; dev defaults to builtin:dev), a Tatoeba .tsv file
(English<TAB>French), or a Moses prefix (PREFIX.SRC and PREFIX.TGT). --src en --tgt fr picks the sides.
Run "translator train --help" for every option.`;

export async function trainCommand(argv: readonly string[], log: (line: string) => void): Promise<number> {
  const args = parse('train', argv, trainOptionSpec);
  if (args.values.help) {
    log(trainHelp());
    return 0;
  }
  if (args.positionals.length > 0)
    throw new UsageError(`translator train: unexpected argument "${args.positionals[0]}"`);
  const resumeDir = stringOption(args, 'resume');
  const saved = resumeDir ? await savedRun(resumeDir, args) : null;
  const settings = saved?.settings ?? settingsFromArgs(args);
  const outDir = stringOption(args, 'out') ?? saved?.outDir;
  if (!outDir) throw new UsageError('translator train: --out DIR is required (where checkpoints go)');

  const trainPairs = await loadSplit(settings.data, settings, log);
  const devPairs = settings.dev ? await loadSplit(settings.dev, settings, log) : [];
  const codecs = saved?.codecs ?? buildCodecs(trainPairs, settings);
  const config: CheckpointConfig = {
    format: checkpointFormat,
    version: 1,
    model:
      saved?.model ??
      resolveModelConfig(modelConfigFromArgs(args, codecs.src.vocab.size, codecs.tgt.vocab.size)),
    languages: { src: settings.src, tgt: settings.tgt },
    training: { ...settings, out: undefined } as unknown as Record<string, unknown>,
  };
  manualSeed(settings.seed);
  const model = buildModel(config.model);
  if (saved) model.loadStateDict(parseSafetensors(saved.weights).tensors);
  log(
    `${saved ? 'resuming' : 'training'} ${config.model.kind} model, ${model.numParameters()} parameters; ` +
      `vocabularies ${codecs.src.vocab.size} → ${codecs.tgt.vocab.size}; checkpoints in ${outDir}`,
  );
  const encode = (pairs: readonly SentencePair[]): EncodedPair[] =>
    pairs.map((p) => ({ src: codecs.src.encode(p.src), tgt: codecs.tgt.encode(p.tgt) }));
  const tokenizers = tokenizersToJson(codecs.src, codecs.tgt);

  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C does not wait
    controller.abort();
    log('\nstopping after this step to save a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onInterrupt);
  try {
    const result = await train(model, {
      ...trainOptions(settings),
      train: encode(trainPairs),
      dev: encode(devPairs),
      decodeTarget: (ids) => codecs.tgt.decode(ids),
      resume: saved?.training,
      signal: controller.signal,
      onCheckpoint: async (checkpoint) => {
        const { trainer, optimizer, scheduler = null } = checkpoint;
        await saveCheckpoint(join(outDir, 'last'), {
          config,
          tokenizers,
          model,
          training: { trainer, optimizer, scheduler },
        });
        if (checkpoint.isBest) await saveCheckpoint(join(outDir, 'best'), { config, tokenizers, model });
      },
    });
    await writeFileAtomic(
      join(outDir, 'loss.svg'),
      lossCurve({
        train: result.history,
        dev: result.devHistory,
        title: `${config.model.kind}: cross-entropy`,
      }),
    );
    const last = result.epochs.at(-1);
    log(
      `${result.stopped === 'interrupted' ? 'interrupted' : `stopped (${result.stopped})`} after ${result.steps} steps, ` +
        `${result.seconds.toFixed(0)} s, ${result.tokensPerSecond.toFixed(0)} target tokens/s` +
        (last?.devBleu !== undefined ? `; last dev BLEU ${last.devBleu.toFixed(1)}` : ''),
    );
    log(
      `wrote ${join(outDir, 'last')}${result.state.best ? ` and ${join(outDir, 'best')}` : ''}, ${join(outDir, 'loss.svg')}`,
    );
    return result.stopped === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

interface SavedRun {
  settings: TrainSettings;
  model: ModelConfig;
  codecs: { src: TextCodec; tgt: TextCodec };
  weights: Uint8Array;
  training: ResumeState;
  outDir: string;
}

/** A run to resume: its settings (with a new --epochs/--minutes budget), tokenizers, weights and states. */
async function savedRun(dir: string, args: ParsedArgs): Promise<SavedRun> {
  for (const name of Object.keys(args.values)) {
    if (!['resume', 'epochs', 'minutes', 'out'].includes(name)) {
      throw new UsageError(
        `translator train --resume: --${name} cannot change on resume (the run keeps its settings)`,
      );
    }
  }
  const checkpointDir = await findCheckpoint(dir, 'last');
  const saved = await loadCheckpoint(checkpointDir);
  if (!saved.training)
    throw new UsageError(`translator train --resume: ${checkpointDir} holds no training state`);
  const epochs = numberOption(args, 'epochs', { integer: true, min: 1 });
  const minutes = numberOption(args, 'minutes', { min: 0 });
  const settings = {
    ...(saved.config.training as unknown as TrainSettings),
    ...defined({ epochs, minutes }),
  };
  return {
    settings,
    model: saved.config.model,
    codecs: tokenizersFromJson(saved.tokenizers),
    weights: saved.weights,
    training: saved.training,
    outDir: checkpointDir === dir ? dirname(dir) : dir,
  };
}

function buildCodecs(
  pairs: readonly SentencePair[],
  settings: TrainSettings,
): { src: TextCodec; tgt: TextCodec } {
  if (settings.jointVocab) {
    const joint = TextCodec.build(
      [...pairs.map((p) => p.src), ...pairs.map((p) => p.tgt)],
      settings.tokenizer,
    );
    return { src: joint, tgt: joint };
  }
  return {
    src: TextCodec.build(
      pairs.map((p) => p.src),
      settings.tokenizer,
    ),
    tgt: TextCodec.build(
      pairs.map((p) => p.tgt),
      settings.tokenizer,
    ),
  };
}

async function loadSplit(
  spec: string,
  settings: TrainSettings,
  log: (line: string) => void,
): Promise<SentencePair[]> {
  const loaded = await loadCorpus(spec, {
    src: settings.src,
    tgt: settings.tgt,
    lowercase: settings.lowercase,
    splitPunctuation: true,
    maxLength: settings.maxLength,
    strict: settings.strict,
  });
  log(loaded.summary);
  if (loaded.pairs.length === 0) throw new UsageError(`translator train: no sentence pairs in ${spec}`);
  return loaded.pairs;
}

function trainOptions(s: TrainSettings): Omit<TrainOptions, 'train'> {
  return {
    epochs: s.epochs,
    minutes: s.minutes,
    batchSize: s.batchSize,
    lr: s.lr,
    lrDecay: s.lrDecay,
    warmup: s.warmup,
    betas: s.betas,
    clipNorm: s.clipNorm,
    labelSmoothing: s.labelSmoothing,
    patience: s.patience,
    seed: s.seed,
    devBleuSize: s.devBleuSize,
  };
}

function trainHelp(): string {
  const lines = Object.entries(trainOptionHelp).map(([name, { type, help }]) => {
    const option = `--${name}${type === 'string' ? ' X' : ''}`;
    return `  ${option.padEnd(22)} ${help}`;
  });
  return `${trainUsage}\n\nOptions:\n${lines.join('\n')}`;
}
