/**
 * @file The experiments' data: a Tatoeba-style folder (train.tsv, dev.tsv, test-public.tsv) or the built-in
 * corpus, read lowercased with punctuation split off, and word vocabularies built from the training pairs.
 * Every model of an experiment sees the same ids. By default the data is the shared Tatoeba subset beside the
 * repository (../shared/data/tatoeba-eng-fra-short, relative to the repository root).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EncodedPair } from '../data/batches.js';
import { loadCorpus } from '../data/load-corpus.js';
import type { SentencePair } from '../data/pair.js';
import { TextCodec } from '../text/text-codec.js';

/** Where the shared data lives, relative to the repository root. */
export const defaultDataPath = join('..', 'shared', 'data', 'tatoeba-eng-fra-short');
const splitFiles = { train: 'train.tsv', dev: 'dev.tsv', test: 'test-public.tsv' } as const;

export interface DataOptions {
  /** Keep only the first N training pairs (Tatoeba files are shuffled, so this is a random sample). */
  trainLimit?: number;
  /** Dev pairs decoded at each evaluation point (default 500). */
  devLimit?: number;
  /** Test pairs scored at the end (default all). */
  testLimit?: number;
  /** Drop training pairs with a side longer than this many tokens (default 50, as `translator train`). */
  maxLength?: number;
  /** The built-in corpus's size (default 12 000, as `translator train --data builtin`). */
  builtinSize?: number;
}

/** Held-out pairs as ids, with the texts BLEU compares: the normalised source and reference. */
export interface HeldOut {
  pairs: EncodedPair[];
  sources: string[];
  references: string[];
}

export interface ExperimentData {
  /** One line for reports: where the pairs came from and how many. */
  description: string;
  codecs: { src: TextCodec; tgt: TextCodec };
  train: EncodedPair[];
  dev: HeldOut;
  test: HeldOut;
}

/** The shared data folder if it exists beside the repository containing `from`, else null. */
export function findDefaultData(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  const root = findRepositoryRoot(from) ?? findRepositoryRoot(process.cwd());
  if (!root) return null;
  const dir = resolve(root, defaultDataPath);
  return existsSync(join(dir, splitFiles.train)) ? dir : null;
}

/** The nearest folder at or above `from` with a pnpm-workspace.yaml (the monorepo's root), or null. */
export function findRepositoryRoot(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Why there is no data, and what to do about it. */
export function missingDataMessage(): string {
  return (
    `no data: ${defaultDataPath} (relative to the repository root) was not found. Pass --data DIR, a folder ` +
    `with ${Object.values(splitFiles).join(', ')} (English<TAB>French lines, as the Tatoeba folders described ` +
    'in shared/data/README.md), or --data builtin for a quick run on the built-in corpus.'
  );
}

/**
 * Loads `spec` ('builtin', or a folder of Tatoeba .tsv splits), builds lowercased word vocabularies from the
 * training pairs and encodes every split.
 * @example const data = await loadExperimentData('../shared/data/tatoeba-eng-fra-short', { devLimit: 200 });
 */
export async function loadExperimentData(spec: string, options: DataOptions = {}): Promise<ExperimentData> {
  const { maxLength = 50, devLimit = 500 } = options;
  const builtin = spec === 'builtin';
  if (!builtin) {
    for (const file of Object.values(splitFiles)) {
      if (!existsSync(join(spec, file))) {
        throw new Error(
          `${spec}: no ${file} there (a data folder holds ${Object.values(splitFiles).join(', ')})`,
        );
      }
    }
  }
  const load = async (split: keyof typeof splitFiles, limitLength: boolean): Promise<SentencePair[]> => {
    const where = builtin
      ? split === 'train'
        ? 'builtin'
        : `builtin:${split}`
      : join(spec, splitFiles[split]);
    const loaded = await loadCorpus(where, {
      lowercase: true,
      splitPunctuation: true,
      maxLength: limitLength ? maxLength : undefined,
      builtinSize: options.builtinSize,
    });
    if (loaded.pairs.length === 0) throw new Error(`${where}: no sentence pairs`);
    return loaded.pairs;
  };
  const trainPairs = (await load('train', true)).slice(0, options.trainLimit);
  const devPairs = (await load('dev', false)).slice(0, devLimit);
  const testPairs = (await load('test', false)).slice(0, options.testLimit);
  const settings = { kind: 'word', lowercase: true } as const;
  const src = TextCodec.build(
    trainPairs.map((p) => p.src),
    settings,
  );
  const tgt = TextCodec.build(
    trainPairs.map((p) => p.tgt),
    settings,
  );
  const encode = (pairs: readonly SentencePair[]): EncodedPair[] =>
    pairs.map((p) => ({ src: src.encode(p.src), tgt: tgt.encode(p.tgt) }));
  // References as `translator eval` makes them: the tokenizer's normalised text, unknown words kept.
  const heldOut = (pairs: readonly SentencePair[]): HeldOut => ({
    pairs: encode(pairs),
    sources: pairs.map((p) => src.tokenizer.decode(src.tokens(p.src))),
    references: pairs.map((p) => tgt.tokenizer.decode(tgt.tokens(p.tgt))),
  });
  const name = builtin ? 'the built-in corpus' : spec;
  return {
    description:
      `${name}: ${trainPairs.length} training, ${devPairs.length} dev, ${testPairs.length} test pairs; ` +
      `lowercased word vocabularies of ${src.vocab.size} (source) and ${tgt.vocab.size} (target) entries`,
    codecs: { src, tgt },
    train: encode(trainPairs).filter((p) => p.src.length > 0 && p.tgt.length > 0),
    dev: heldOut(devPairs.filter((p) => src.encode(p.src).length > 0)),
    test: heldOut(testPairs.filter((p) => src.encode(p.src).length > 0)),
  };
}
