/**
 * @file `translator experiment NAME`: trains the models an experiment compares, each under the same budget of
 * training time, and writes report.md (with a verdict computed from the numbers), SVG plots and results.json.
 */
import { join } from 'node:path';
import { findDefaultData, loadExperimentData, missingDataMessage } from '../../experiments/data.js';
import { writeExperiment } from '../../experiments/experiment.js';
import { experiments, findExperiment } from '../../experiments/index.js';
import { verdictLine } from '../../experiments/report.js';
import { defined, numberOption, parse, stringOption, UsageError } from '../args.js';

export const experimentUsage = `translator experiment ${experiments.map((e) => e.name).join('|')}
                     [--data DIR|builtin] [--minutes N] [--out DIR] [options]`;

const spec = {
  data: { type: 'string' },
  minutes: { type: 'string' },
  out: { type: 'string' },
  evaluations: { type: 'string' },
  seed: { type: 'string' },
  'train-limit': { type: 'string' },
  'dev-limit': { type: 'string' },
  'test-limit': { type: 'string' },
  hidden: { type: 'string' },
  embedding: { type: 'string' },
  layers: { type: 'string' },
  'batch-size': { type: 'string' },
  'target-bleu': { type: 'string' },
} as const;

function experimentHelp(): string {
  const list = experiments.map((e) => `  ${e.name.padEnd(22)} ${e.claim}`).join('\n');
  return `${experimentUsage}

Experiments:
${list}

Options:
  --data DIR|builtin     a folder with train.tsv, dev.tsv and test-public.tsv (default: ../shared/data/
                         tatoeba-eng-fra-short beside the repository), or the built-in corpus
  --minutes N            training time per model, evaluations not counted (default 5)
  --out DIR              where report.md, the SVG plots and results.json go (default translator-experiments/NAME)
  --evaluations N        dev BLEU measurements per model during training (default 10)
  --seed N               seed for weights, batch order and dropout (default 1)
  --train-limit N        use the first N training pairs (a random sample of the shuffled Tatoeba files)
  --dev-limit N          dev pairs decoded per evaluation (default 500)
  --test-limit N         test pairs scored (default all)
  --hidden N             every model's hidden size (d_model for the Transformer), instead of the defaults
  --embedding N          recurrent models' embedding width
  --layers N             layers per side
  --batch-size N         sentences per batch
  --target-bleu X        transformer-vs-lstm: the dev BLEU to race to (default 90 % of the lower best)`;
}

export async function experimentCommand(
  argv: readonly string[],
  log: (line: string) => void,
): Promise<number> {
  const args = parse('experiment', argv, spec);
  if (args.values.help) {
    log(experimentHelp());
    return 0;
  }
  const [name, ...extra] = args.positionals;
  if (name === undefined) throw new UsageError('translator experiment: name an experiment');
  if (extra.length > 0) throw new UsageError(`translator experiment: unexpected argument "${extra[0]}"`);
  const experiment = findExperiment(name);
  if (!experiment) {
    throw new UsageError(
      `translator experiment: unknown experiment "${name}" (one of ${experiments.map((e) => e.name).join(', ')})`,
    );
  }
  const minutes = numberOption(args, 'minutes', { min: 0.001 }) ?? 5;
  const integer = (option: string, min = 1) => numberOption(args, option, { integer: true, min });
  const settings = {
    minutes,
    evaluations: integer('evaluations') ?? 10,
    seed: integer('seed', 0) ?? 1,
    targetBleu: numberOption(args, 'target-bleu', { min: 0, max: 100 }),
    sizes: defined({
      hidden: integer('hidden', 2),
      embedding: integer('embedding'),
      layers: integer('layers'),
      batchSize: integer('batch-size'),
    }),
    log,
  };
  const dataSpec = stringOption(args, 'data') ?? findDefaultData();
  if (!dataSpec) throw new Error(missingDataMessage());
  const data = await loadExperimentData(dataSpec, {
    trainLimit: integer('train-limit'),
    devLimit: integer('dev-limit'),
    testLimit: integer('test-limit'),
  });
  log(`${experiment.name}: ${experiment.claim}`);
  log(data.description);
  const result = await experiment.run(data, settings);
  const outDir = stringOption(args, 'out') ?? join('translator-experiments', experiment.name);
  const written = await writeExperiment(result, outDir);
  log(verdictLine(result.verdict).replaceAll('**', ''));
  log(`wrote ${written.join(', ')}`);
  return 0;
}
