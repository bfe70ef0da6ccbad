/**
 * @file What the command line's `--data` means: `builtin` (the built-in corpus's train split; `builtin:dev`,
 * `builtin:test` for the others), a `.tsv`/`.txt` file of Tatoeba pairs (English first: `--src fr --tgt en`
 * swaps the sides), or a Moses prefix (`data/train` with `--src en --tgt fr` reads data/train.en and
 * data/train.fr).
 */
import { extname } from 'node:path';
import { builtinCorpus } from '../corpus/builtin.js';
import type { LoadOptions } from './collect.js';
import { describeMalformed, type MalformedLine } from './errors.js';
import { loadMoses, mosesFiles } from './moses.js';
import type { SentencePair } from './pair.js';
import { loadTatoeba } from './tatoeba.js';

export interface CorpusSpecOptions extends LoadOptions {
  /** Language codes: Moses file suffixes, and the direction of Tatoeba files (default en → fr). */
  src?: string;
  tgt?: string;
  /** The built-in corpus's seed and size (default 1 and 12 000, as the demo). */
  builtinSeed?: number;
  builtinSize?: number;
}

export interface LoadedCorpus {
  pairs: SentencePair[];
  malformed: MalformedLine[];
  /** One line for the user: where the pairs came from and what was skipped. */
  summary: string;
}

const builtinSplits = {
  builtin: 'train',
  'builtin:train': 'train',
  'builtin:dev': 'dev',
  'builtin:test': 'test',
} as const;

export async function loadCorpus(spec: string, options: CorpusSpecOptions = {}): Promise<LoadedCorpus> {
  const { src = 'en', tgt = 'fr' } = options;
  const split = builtinSplits[spec as keyof typeof builtinSplits];
  if (split) {
    const corpus = builtinCorpus({
      seed: options.builtinSeed ?? 1,
      size: options.builtinSize ?? 12_000,
      lengthBias: 1,
    });
    const pairs = corpus[split];
    return { pairs, malformed: [], summary: `built-in corpus, ${split} split: ${pairs.length} pairs` };
  }
  const extension = extname(spec).toLowerCase();
  const loaded =
    extension === '.tsv' || extension === '.txt'
      ? await loadTatoeba(spec, options)
      : await loadMoses(mosesFiles(spec, src, tgt), options);
  let pairs: SentencePair[] = loaded.pairs.map(({ src: s, tgt: t }) => ({ src: s, tgt: t }));
  if ((extension === '.tsv' || extension === '.txt') && src !== 'en' && tgt === 'en') {
    pairs = pairs.map((p) => ({ src: p.tgt, tgt: p.src })); // Tatoeba files put English first
  }
  const skipped = loaded.malformed.length > 0 ? `; ${describeMalformed(loaded.malformed)}` : '';
  const filtered = loaded.filtered > 0 ? `, ${loaded.filtered} outside the length limits` : '';
  return {
    pairs,
    malformed: loaded.malformed,
    summary: `${spec}: ${pairs.length} pairs from ${loaded.lines} lines${filtered}${skipped}`,
  };
}
