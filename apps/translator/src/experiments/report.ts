/**
 * @file Pieces every experiment report shares: Markdown tables, the set-up (data, budget, machine), the
 * models' table, the dev-BLEU-against-training-time chart, and the verdict line.
 */
import { cpus, loadavg } from 'node:os';
import { getBackend, getNumThreads } from '@tensorloom/tensor';
import { lineChart } from '../plots/line-chart.js';
import type { SizeOverrides } from './experiment.js';
import type { ModelRun } from './run-model.js';

export type Outcome = 'reproduced' | 'not reproduced' | 'inconclusive';

/** What the numbers say about the paper's claim, computed from them (never written by hand). */
export interface Verdict {
  outcome: Outcome;
  /** One or two sentences with the numbers behind the outcome. */
  summary: string;
}

/** The machine and the moment, for the report's set-up section (load averages show whether it was quiet). */
export interface RunEnvironment {
  started: string;
  node: string;
  cpu: string;
  backend: string;
  threads: number;
  loadAtStart: string;
}

export function runEnvironment(): RunEnvironment {
  const cores = cpus();
  return {
    started: new Date().toISOString(),
    node: process.version,
    cpu: `${cores[0]?.model.trim() ?? 'unknown CPU'} × ${cores.length}`,
    backend: getBackend().name,
    threads: getNumThreads(),
    loadAtStart: currentLoad(),
  };
}

export function currentLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** A Markdown table; columns whose cells all read as numbers (or '–') are right-aligned. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  const numeric = (i: number) => rows.every((row) => /^[-−+]?[\d.,]*\d$|^–$/.test(String(row[i])));
  const rule = `|${header.map((_, i) => (numeric(i) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function formatBleu(score: number | null | undefined): string {
  return score === null || score === undefined || !Number.isFinite(score) ? '–' : score.toFixed(2);
}

export function verdictLine(verdict: Verdict): string {
  const outcome = verdict.outcome[0].toUpperCase() + verdict.outcome.slice(1);
  return `**Verdict: ${outcome}.** ${verdict.summary}`;
}

/** A sentence naming the command-line size overrides, or '' without any. */
export function overridesNote(sizes: SizeOverrides = {}): string {
  const given = Object.entries(sizes).filter(([, v]) => v !== undefined);
  if (given.length === 0) return '';
  return ` Overridden on the command line for every model: ${given.map(([k, v]) => `${k} ${v}`).join(', ')}.`;
}

/** Model sizes and settings, one row per model. */
export function describeModel(run: ModelRun): string {
  const c = run.config;
  switch (c.kind) {
    case 'lstm':
      return `E ${c.embeddingDim}, H ${c.hiddenSize}, ${c.numLayers} layer(s), ${c.bidirectional ? 'bidirectional' : 'unidirectional'}, source ${c.reverseSource ? 'reversed' : 'in order'}, dropout ${c.dropout}`;
    case 'attention':
      return `E ${c.embeddingDim}, H ${c.hiddenSize} (encoder ${c.hiddenSize / 2} per direction), ${c.attention} attention A ${c.attentionSize}, ${c.numLayers} layer(s), dropout ${c.dropout}`;
    case 'transformer':
      return `D ${c.dModel}, ${c.nhead} heads, ${c.numEncoderLayers}+${c.numDecoderLayers} layers, FF ${c.dimFeedforward}, dropout ${c.dropout}, ${c.positions} positions${c.tieOutput ? ', tied output' : ''}`;
  }
}

export function describeTraining(run: ModelRun): string {
  const t = run.training;
  const schedule =
    t.warmup === undefined
      ? `lr ${t.lr}${t.lrDecay !== undefined && t.lrDecay !== 1 ? ` × ${t.lrDecay} per epoch` : ''}`
      : `lr ${t.lr} peak, ${t.warmup} warm-up steps, then 1/√step`;
  const betas = t.betas ? `, Adam β (${t.betas.join(', ')})` : ', Adam';
  const smoothing = t.labelSmoothing ? `, label smoothing ${t.labelSmoothing}` : '';
  return `batch ${t.batchSize}, ${schedule}${betas}, clip ${t.clipNorm ?? 1}${smoothing}`;
}

export function modelsTable(runs: readonly ModelRun[]): string {
  return markdownTable(
    ['model', 'parameters', 'architecture', 'training'],
    runs.map((r) => [r.label, r.parameters.toLocaleString('en-US'), describeModel(r), describeTraining(r)]),
  );
}

export function resultsTable(runs: readonly ModelRun[]): string {
  return markdownTable(
    ['model', 'test BLEU', 'test cross-entropy', 'best dev BLEU', 'steps', 'epochs', 'target tokens/s'],
    runs.map((r) => [
      r.label,
      formatBleu(r.test.bleu.score),
      r.test.loss.toFixed(3),
      formatBleu(Math.max(...r.curve.map((p) => p.score))),
      r.steps,
      r.epochs.toFixed(1),
      r.tokensPerSecond.toFixed(0),
    ]),
  );
}

/** Dev BLEU against training time, one line per model. */
export function devCurveChart(
  runs: readonly ModelRun[],
  title: string,
  reference?: { y: number; label: string },
) {
  return lineChart({
    title,
    xLabel: 'training time (s), evaluations not counted',
    yLabel: 'dev BLEU',
    yMin: 0,
    xMin: 0,
    reference,
    series: runs.map((r) => ({
      label: r.label,
      points: r.curve.map((p) => ({ x: p.seconds, y: p.score })),
    })),
  });
}

/** The report's set-up section. */
export function setupSection(
  data: string,
  minutes: number,
  evaluations: number,
  seed: number,
  env: RunEnvironment,
): string {
  return [
    '## Set-up',
    '',
    `- Data: ${data}.`,
    `- Budget: ${minutes} min of training per model (time spent in training steps; the ${evaluations} dev ` +
      'evaluations along the way are not counted). Seed ' +
      `${seed} for weights, batch order and dropout.`,
    '- Scores: greedy decoding, corpus BLEU as sacreBLEU computes it (13a tokenisation) on lowercased text.',
    `- Machine: ${env.cpu}, Node ${env.node}, Tensorloom backend ${env.backend} with ${env.threads} thread(s); ` +
      `started ${env.started}, load average ${env.loadAtStart} at the start and ${currentLoad()} at the end ` +
      '(a busy machine slows every model alike but shrinks what each learns in the budget).',
  ].join('\n');
}
