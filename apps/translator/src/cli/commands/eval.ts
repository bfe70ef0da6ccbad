/**
 * @file `translator eval`: translates a test set with a checkpoint and scores it as sacreBLEU does by default
 * (corpus BLEU, 13a tokenisation, "exp" smoothing), with chrF and BLEU by source-length bucket. The data is
 * read with the checkpoint's own settings (language sides, lowercasing), so references match what it learned.
 */
import { loadCorpus } from '../../data/load-corpus.js';
import { corpusBleu } from '../../eval/bleu.js';
import { bleuByLength } from '../../eval/bleu-by-length.js';
import { corpusChrf } from '../../eval/chrf.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { numberOption, parse, stringOption, UsageError } from '../args.js';
import { loadTranslator } from './load-translator.js';

export const evalUsage = `translator eval --model DIR --data SPEC [--beam K] [--length-penalty A] [--limit N]
               [--buckets 10,20,30] [--hypotheses FILE]`;

const spec = {
  model: { type: 'string' },
  data: { type: 'string' },
  beam: { type: 'string' },
  'length-penalty': { type: 'string' },
  limit: { type: 'string' },
  buckets: { type: 'string' },
  hypotheses: { type: 'string' },
} as const;

export async function evalCommand(argv: readonly string[], log: (line: string) => void): Promise<number> {
  const args = parse('eval', argv, spec);
  if (args.values.help) {
    log(evalUsage);
    return 0;
  }
  const modelDir = stringOption(args, 'model');
  const data = stringOption(args, 'data');
  if (!modelDir || !data) throw new UsageError('translator eval: --model DIR and --data SPEC are required');
  const buckets = (stringOption(args, 'buckets') ?? '10,20,30').split(',').map((part) => {
    const bound = Number(part);
    if (!Number.isInteger(bound) || bound < 1) {
      throw new UsageError(
        `translator eval: --buckets must be increasing positive integers (got ${JSON.stringify(part)})`,
      );
    }
    return bound;
  });
  const translator = await loadTranslator(modelDir);
  const settings = translator.config.training as { lowercase?: boolean; src?: string; tgt?: string };
  const loaded = await loadCorpus(data, {
    src: translator.config.languages.src,
    tgt: translator.config.languages.tgt,
    lowercase: settings.lowercase ?? false,
    splitPunctuation: true,
  });
  log(loaded.summary);
  const limit = numberOption(args, 'limit', { integer: true, min: 1 }) ?? loaded.pairs.length;
  const pairs = loaded.pairs.slice(0, limit);
  if (pairs.length === 0) throw new UsageError(`translator eval: no sentence pairs in ${data}`);
  const start = performance.now();
  const results = translator.translate(
    pairs.map((p) => p.src),
    {
      beamSize: numberOption(args, 'beam', { integer: true, min: 1 }) ?? 1,
      lengthPenalty: numberOption(args, 'length-penalty', { min: 0 }),
    },
  );
  const seconds = (performance.now() - start) / 1000;
  const hypotheses = results.map((r) => r.text);
  const references = pairs.map((p) => translator.target.tokenizer.decode(translator.target.tokens(p.tgt)));
  const bleu = corpusBleu(hypotheses, references);
  const chrf = corpusChrf(hypotheses, references);
  log(
    `BLEU ${bleu.score.toFixed(2)} (${bleu.precisions.map((p) => p.toFixed(1)).join('/')}, BP ${bleu.bp.toFixed(3)}, ` +
      `ratio ${bleu.ratio.toFixed(3)}) · chrF ${chrf.score.toFixed(2)} · ${pairs.length} sentences in ${seconds.toFixed(1)} s`,
  );
  const byLength = bleuByLength(
    pairs.map((p) => p.src),
    hypotheses,
    references,
    { upperBounds: buckets, sourceLength: (source) => translator.source.tokens(source).length },
  );
  for (const bucket of byLength) {
    const range = Number.isFinite(bucket.to) ? `${bucket.from}–${bucket.to}` : `${bucket.from}+`;
    log(
      `  source ${range.padEnd(7)} tokens: ${String(bucket.sentences).padStart(5)} sentences, BLEU ${bucket.bleu === null ? '–' : bucket.bleu.toFixed(2)}`,
    );
  }
  const hypothesesFile = stringOption(args, 'hypotheses');
  if (hypothesesFile) await writeFileAtomic(hypothesesFile, `${hypotheses.join('\n')}\n`);
  return 0;
}
