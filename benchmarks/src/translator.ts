// The translator comparison: the translator app's `attention` and `transformer` models against PyTorch mirrors
// of them (torch/translator_models.py), each trained for the same minutes of training time on the same data,
// ids, batches and initial weights, then scored with the app's BLEU on the test split. Prints a quality table
// and a throughput table. Opt-in (≈ 4 × --minutes): see "Translator comparison" in README.md.
//
//   pnpm turbo run build --filter=@tensorloom/translator...
//   pnpm --dir benchmarks exec tsx src/translator.ts [--minutes 10] [--models attention,transformer] …
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sequenceCrossEntropy } from '@tensorloom/losses';
import { getBackend, getNumThreads, manualSeed, noGrad } from '@tensorloom/tensor';
import { mallocLine } from './malloc.js';
import { tensorloomProvenance } from './provenance.js';
import { renderTable } from './table.js';
import { probeTorch } from './torch.js';
import {
  type ExperimentData,
  loadTranslatorApp,
  type ModelConfig,
  staleBuildWarning,
  type TranslatorApp,
  type TranslatorModel,
} from './translator-app.js';
import { runTorchJob, startTorchTurns, type TorchRun, writeTorchJob } from './translator-torch.js';

const KINDS = ['attention', 'transformer'] as const;
type Kind = (typeof KINDS)[number];

/** Model sizes of the issue's PyTorch references (≈ 8M parameters each on tatoeba-eng-fra-short). */
const SIZES: Record<Kind, Record<string, unknown>> = {
  attention: { embeddingDim: 256, hiddenSize: 512, attentionSize: 256, dropout: 0.2 },
  transformer: { dModel: 256, nhead: 4, numEncoderLayers: 3, numDecoderLayers: 3, dimFeedforward: 1024 },
};
/** --small: seconds-long smoke runs. */
const SMALL: Record<Kind, Record<string, unknown>> = {
  attention: { embeddingDim: 32, hiddenSize: 32, dropout: 0.2 },
  transformer: { dModel: 32, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 64 },
};

const USAGE = `usage: tsx src/translator.ts [--data DIR] [--minutes N] [--models attention,transformer] [--threads N]
                              [--seed N] [--only tensorloom|torch] [--small] [--train-limit N] [--test-limit N]
                              [--max-epochs N] [--turn-seconds N] [--json FILE]
  --data DIR       train.tsv + test-public.tsv (default ../shared/data/tatoeba-eng-fra-short beside the repo)
  --minutes N      training time per run, Tensorloom and PyTorch alike (default 10)
  --threads N      PyTorch's threads (default 2; Tensorloom uses its default backend and threads)
  --small          tiny models, for a quick check of the whole pipeline
  --max-epochs N   batch plans sent to PyTorch (default 200; reused from the first if it trains longer)
  --turn-seconds N the two sides train in turns of N seconds of training time each, so that a machine whose
                   speed drifts slows both alike (default 30; 0: Tensorloom's whole run, then PyTorch's)
  --json FILE      also write every number (and the hypotheses) as JSON`;

interface Options {
  data?: string;
  minutes: number;
  models: Kind[];
  threads: number;
  seed: number;
  only?: 'tensorloom' | 'torch';
  small: boolean;
  trainLimit?: number;
  testLimit?: number;
  maxEpochs: number;
  turnSeconds: number;
  json?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const opts: Options = {
    minutes: 10,
    models: [...KINDS],
    threads: 2,
    seed: 1,
    small: false,
    maxEpochs: 200,
    turnSeconds: 30,
  };
  const number = (flag: string, raw: string | undefined, integer = true) => {
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'} (got ${raw})`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i];
    if (arg === '--') continue;
    else if (arg === '-h' || arg === '--help') throw new Error('help');
    else if (arg === '--data') opts.data = next();
    else if (arg === '--minutes') opts.minutes = number(arg, next(), false);
    else if (arg === '--threads') opts.threads = number(arg, next());
    else if (arg === '--seed') opts.seed = number(arg, next());
    else if (arg === '--train-limit') opts.trainLimit = number(arg, next());
    else if (arg === '--test-limit') opts.testLimit = number(arg, next());
    else if (arg === '--max-epochs') opts.maxEpochs = number(arg, next());
    else if (arg === '--turn-seconds') {
      const raw = next();
      opts.turnSeconds = raw === '0' ? 0 : number(arg, raw, false);
    } else if (arg === '--json') opts.json = next();
    else if (arg === '--small') opts.small = true;
    else if (arg === '--only') {
      const side = next();
      if (side !== 'tensorloom' && side !== 'torch') throw new Error('--only takes tensorloom or torch');
      opts.only = side;
    } else if (arg === '--models') {
      const models = (next() ?? '').split(',');
      for (const m of models)
        if (!(KINDS as readonly string[]).includes(m)) throw new Error(`unknown model ${m}`);
      opts.models = models as Kind[];
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}`);
  }
  return opts;
}

interface SideResult {
  bleu: number;
  tokensPerSecond: number;
  steps: number;
  epochs: number;
  seconds: number;
  initialLoss: number;
  hypotheses: string[];
}

interface ModelResult {
  kind: Kind;
  config: ModelConfig;
  parameters: number;
  training: Record<string, unknown>;
  tensorloom?: SideResult;
  torch?: SideResult & { plansReused: boolean; torch: string; threads: number; blas: string | null };
}

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);

/** The eval-mode training loss of one batch (no dropout): the check that both sides compute the same model. */
function batchLoss(
  app: TranslatorApp,
  model: TranslatorModel,
  data: ExperimentData,
  indices: number[],
  ls: number,
) {
  model.eval();
  const loss = noGrad(() => {
    const batch = app.collate(data.train, indices);
    const { logits } = model.forwardBatch(batch); // [B, T, V]
    return sequenceCrossEntropy(logits, batch.target, { padIndex: 0, labelSmoothing: ls }).loss.item();
  });
  model.train();
  return loss;
}

async function compare(app: TranslatorApp, data: ExperimentData, kind: Kind, opts: Options, dir: string) {
  const training = { ...app.trainDefaults(kind), seed: opts.seed };
  const batchSize = training.batchSize ?? 64;
  const config: ModelConfig = {
    kind,
    ...(opts.small ? SMALL : SIZES)[kind],
    srcVocabSize: data.codecs.src.vocab.size,
    tgtVocabSize: data.codecs.tgt.vocab.size,
  };
  manualSeed(opts.seed);
  const model = app.buildModel(config);
  const result: ModelResult = {
    kind,
    config: model.config,
    parameters: model.numParameters(),
    training: training as Record<string, unknown>,
  };
  // Epoch e's batches, as the app's training loop draws them (seed + e).
  const plans = Array.from({ length: opts.maxEpochs }, (_, e) =>
    app.planBatches(data.train, { batchSize, seed: opts.seed + e + 1 }),
  );
  const initialLoss = batchLoss(app, model, data, plans[0][0], training.labelSmoothing ?? 0);
  const takeTurns = opts.only === undefined && opts.turnSeconds > 0;
  const jobFile =
    opts.only === 'tensorloom'
      ? null
      : await writeTorchJob({
          dir,
          model,
          config: model.config,
          training,
          train: data.train,
          plans,
          testSources: data.test.pairs.map((p) => p.src),
          minutes: opts.minutes,
          seed: opts.seed,
          turnSeconds: takeTurns ? opts.turnSeconds : 0,
        });
  const decode = (ids: readonly number[]) => data.codecs.tgt.decode(ids);
  const score = (hypotheses: string[]) => app.corpusBleu(hypotheses, data.test.references).score;
  // With turns, PyTorch starts first (loading outside anyone's turn) and then trains only while the app waits.
  const torchTurns = jobFile && takeTurns ? await startTorchTurns(jobFile, opts.threads) : null;
  if (opts.only !== 'torch') {
    progress(
      `Tensorloom ${kind}: ${result.parameters} parameters, ${opts.minutes} min of training` +
        (torchTurns ? `, in turns of ${opts.turnSeconds} s with PyTorch's` : ''),
    );
    const run = await app.trainWithBudget(model, {
      ...training,
      train: data.train,
      minutes: opts.minutes,
      turns: torchTurns ? { seconds: opts.turnSeconds, yieldTurn: () => torchTurns.take() } : undefined,
    });
    const hypotheses = app.translate(model, data.test.pairs).map((t) => decode(t.ids));
    const { state } = run.result;
    result.tensorloom = {
      bleu: score(hypotheses),
      tokensPerSecond: run.tokensPerSecond,
      steps: run.result.steps,
      epochs: state.epoch - 1 + state.batchInEpoch / plans[0].length,
      seconds: run.trainSeconds,
      initialLoss,
      hypotheses,
    };
    progress(
      `Tensorloom ${kind}: BLEU ${result.tensorloom.bleu.toFixed(2)}, ${run.tokensPerSecond.toFixed(0)} tokens/s`,
    );
  }
  if (jobFile) {
    progress(
      torchTurns
        ? `PyTorch ${kind}: the rest of its ${opts.minutes} min of training`
        : `PyTorch ${kind}: ${opts.threads} threads, ${opts.minutes} min of training`,
    );
    let run: TorchRun;
    if (torchTurns) {
      while (!torchTurns.finished) await torchTurns.take();
      run = await torchTurns.result;
    } else run = await runTorchJob(jobFile, opts.threads);
    const hypotheses = run.hypotheses.map(decode);
    result.torch = {
      bleu: score(hypotheses),
      tokensPerSecond: run.tokens / run.seconds,
      steps: run.steps,
      epochs: run.epochs,
      seconds: run.seconds,
      initialLoss: run.initial_loss,
      hypotheses,
      plansReused: run.plans_reused,
      torch: run.torch,
      threads: run.threads,
      blas: run.blas,
    };
    if (run.parameters !== result.parameters) {
      throw new Error(`PyTorch ${kind} has ${run.parameters} parameters, Tensorloom ${result.parameters}`);
    }
    progress(
      `PyTorch ${kind}: BLEU ${result.torch.bleu.toFixed(2)}, ${result.torch.tokensPerSecond.toFixed(0)} tokens/s`,
    );
  }
  return result;
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;
const fixed = (x: number | undefined, digits: number) => (x === undefined ? 'n/a' : x.toFixed(digits));

/**
 * The translator's `demo` and `translator` scripts start Node with --max-semi-space-size=64 (see the app's README,
 * "Node settings"); this comparison runs the app's training in this process, so `pnpm run translator` starts it
 * the same way. The header says which it got.
 */
function youngGenerationLine(): string {
  const flag = process.execArgv.find((arg) => arg.startsWith('--max-semi-space-size'));
  return flag
    ? `  V8: ${flag}, as the translator app's scripts start Node`
    : '  V8: default young generation (started outside `pnpm run translator`; the app itself runs with --max-semi-space-size=64)';
}

function render(results: ModelResult[], opts: Options, data: ExperimentData, header: string[]): string {
  const quality = renderTable(
    ['model', 'parameters', 'Tensorloom BLEU', 'PyTorch BLEU', 'TL ÷ PyTorch', 'target TL ≥ PyTorch'],
    results.map((r) => [
      r.kind,
      r.parameters.toLocaleString('en-US'),
      fixed(r.tensorloom?.bleu, 2),
      fixed(r.torch?.bleu, 2),
      ratio(r.tensorloom?.bleu, r.torch?.bleu),
      r.tensorloom && r.torch ? (r.tensorloom.bleu >= r.torch.bleu ? 'met' : 'NOT met') : '—',
    ]),
  );
  const speed = renderTable(
    [
      'model',
      'Tensorloom tok/s',
      `PyTorch (${opts.threads} thr) tok/s`,
      'TL ÷ PyTorch',
      'target ≥ 0.5×',
      'steps TL / PT',
      'epochs TL / PT',
    ],
    results.map((r) => [
      r.kind,
      fixed(r.tensorloom?.tokensPerSecond, 0),
      fixed(r.torch?.tokensPerSecond, 0),
      ratio(r.tensorloom?.tokensPerSecond, r.torch?.tokensPerSecond),
      r.tensorloom && r.torch
        ? r.tensorloom.tokensPerSecond >= 0.5 * r.torch.tokensPerSecond
          ? 'met'
          : 'NOT met'
        : '—',
      `${r.tensorloom?.steps ?? 'n/a'} / ${r.torch?.steps ?? 'n/a'}`,
      `${fixed(r.tensorloom?.epochs, 1)} / ${fixed(r.torch?.epochs, 1)}`,
    ]),
  );
  const notes = results.flatMap((r) => {
    const lines = [`  * ${r.kind}: ${describe(r.config)}; training ${JSON.stringify(r.training)}`];
    if (r.tensorloom && r.torch) {
      const error = Math.abs(r.tensorloom.initialLoss - r.torch.initialLoss) / Math.abs(r.torch.initialLoss);
      lines.push(
        `  * ${r.kind} check: loss of the first batch with the shared initial weights, eval mode: Tensorloom ${r.tensorloom.initialLoss.toFixed(6)}, PyTorch ${r.torch.initialLoss.toFixed(6)} (rel. error ${error.toExponential(1)}${error > 1e-4 ? ', MISMATCH' : ''})`,
      );
    }
    if (r.torch) {
      lines.push(
        `  * ${r.kind} PyTorch ${r.torch.torch}, ${r.torch.threads} threads, BLAS ${r.torch.blas ?? 'unknown'}${r.torch.plansReused ? `; outlasted the ${opts.maxEpochs} batch plans, reused from the first` : ''}`,
      );
    }
    return lines;
  });
  return [
    ...header,
    '',
    `Translation quality: corpus BLEU on the test split (${data.test.pairs.length} pairs), greedy decoding, after ${opts.minutes} min of training each`,
    quality,
    '',
    'Training throughput: target tokens (<eos> included) per second of training time',
    speed,
    ...notes,
  ].join('\n');
}

function describe(c: ModelConfig): string {
  return Object.entries(c)
    .filter(([k]) => !['kind', 'srcVocabSize', 'tgtVocabSize', 'padIndex'].includes(k))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

async function main(opts: Options): Promise<void> {
  const app = await loadTranslatorApp();
  const stale = staleBuildWarning();
  if (stale) progress(`WARNING: ${stale}`);
  const dataDir = opts.data ?? app.findDefaultData();
  if (!dataDir) throw new Error(app.missingDataMessage());
  const data = await app.loadExperimentData(dataDir, {
    trainLimit: opts.trainLimit,
    testLimit: opts.testLimit,
    devLimit: 1,
  });
  if (opts.only !== 'tensorloom') {
    const probe = probeTorch();
    if ('error' in probe) throw new Error(`PyTorch is not available (${probe.error}); use --only tensorloom`);
  }
  const cores = cpus();
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const header = [
    `Tensorloom translator vs PyTorch — ${new Date().toISOString()}`,
    `  node ${process.version}, ${cores[0]?.model.trim()} × ${cores.length}, load avg ${load()} at the start`,
    `  Tensorloom ${tensorloomProvenance()}, backend ${getBackend().name}, ${getNumThreads()} thread(s)`,
    `  data: ${data.description}`,
    mallocLine(),
    youngGenerationLine(),
    opts.only === undefined && opts.turnSeconds > 0
      ? `  turns: the two sides train in turns of ${opts.turnSeconds} s of training time, each waiting while the ` +
        `other trains, so that a drift in the machine's speed slows both alike`
      : "  turns: none (one side's whole run, then the other's)",
  ];
  const dir = await mkdtemp(join(tmpdir(), 'tensorloom-translator-bench-'));
  const results: ModelResult[] = [];
  try {
    for (const kind of opts.models) results.push(await compare(app, data, kind, opts, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  header.push(`  load avg ${load()} at the end (only an idle machine gives meaningful throughput)`);
  console.log(render(results, opts, data, header));
  if (opts.json)
    await writeFile(opts.json, `${JSON.stringify({ options: opts, header, results }, null, 2)}\n`);
}

let opts: Options;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  const help = err instanceof Error && err.message === 'help';
  if (!help) console.error(err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exit(help ? 0 : 2);
}
main(opts).then(
  () => process.exit(0), // the wasm backend's worker threads would keep the process alive
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
