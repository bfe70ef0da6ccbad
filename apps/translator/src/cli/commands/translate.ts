/**
 * @file `translator translate`: translates the sentences given as arguments, or one per line on stdin, with a
 * trained checkpoint; greedy or beam search; optionally draws the attention of each translation as an SVG.
 */
import { extname } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { attentionHeatmap } from '../../plots/attention-heatmap.js';
import type { TextTranslation, Translator } from '../../translator.js';
import { numberOption, parse, stringOption, UsageError } from '../args.js';
import { loadTranslator } from './load-translator.js';

export const translateUsage = `translator translate --model DIR [--beam K] [--length-penalty A] [--max-length N]
                    [--show-attention FILE.svg] ["sentence" …]   (no sentence: one per line on stdin)`;

const spec = {
  model: { type: 'string' },
  beam: { type: 'string' },
  'length-penalty': { type: 'string' },
  'max-length': { type: 'string' },
  'show-attention': { type: 'string' },
} as const;

export async function translateCommand(
  argv: readonly string[],
  log: (line: string) => void,
  readStdin: () => Promise<string>,
): Promise<number> {
  const args = parse('translate', argv, spec);
  if (args.values.help) {
    log(translateUsage);
    return 0;
  }
  const modelDir = stringOption(args, 'model');
  if (!modelDir) throw new UsageError('translator translate: --model DIR is required');
  const options = {
    beamSize: numberOption(args, 'beam', { integer: true, min: 1 }) ?? 1,
    lengthPenalty: numberOption(args, 'length-penalty', { min: 0 }),
    maxLength: numberOption(args, 'max-length', { integer: true, min: 1 }),
  };
  const heatmap = stringOption(args, 'show-attention');
  if (heatmap !== undefined && extname(heatmap).toLowerCase() !== '.svg') {
    throw new UsageError(
      `translator translate: --show-attention needs a .svg file name (got ${JSON.stringify(heatmap)})`,
    );
  }
  const translator: Translator = await loadTranslator(modelDir);
  const sentences =
    args.positionals.length > 0
      ? args.positionals
      : (await readStdin()).split(/\r?\n/).filter((line) => line.trim() !== '');
  const results = translator.translate(sentences, options);
  for (const result of results) log(result.text);
  if (heatmap !== undefined) {
    const files = await writeHeatmaps(heatmap, results, translator.config.model.kind);
    console.error(
      files.length > 0 ? `attention: ${files.join(', ')}` : 'no attention to draw: this model has none',
    );
  }
  return 0;
}

/** One SVG per sentence: FILE.svg for one sentence, FILE-1.svg, FILE-2.svg … for several. */
async function writeHeatmaps(
  file: string,
  results: readonly TextTranslation[],
  kind: string,
): Promise<string[]> {
  const written: string[] = [];
  for (const [i, result] of results.entries()) {
    if (!result.attention) continue;
    const path = results.length === 1 ? file : file.replace(/\.svg$/i, `-${i + 1}.svg`);
    await writeFileAtomic(
      path,
      attentionHeatmap({
        sourceTokens: result.sourceTokens,
        targetTokens: [...result.targetTokens, '<eos>'].slice(0, result.attention.length),
        weights: result.attention,
        title: `where the ${kind} model looks`,
      }),
    );
    written.push(path);
  }
  return written;
}
