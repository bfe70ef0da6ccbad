/**
 * @file What an experiment is (a name, the models it compares, a report computed from their results), the
 * model plans with `translator train`'s defaults per model kind, and writing a result to disk: report.md, its
 * SVG plots and results.json with every number.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from '../cli/args.js';
import { settingsFromArgs, trainOptionSpec } from '../cli/commands/train-settings.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import type { ModelKind } from '../models/translator-model.js';
import type { BudgetTrainOptions } from './budget.js';
import type { ExperimentData } from './data.js';
import type { Verdict } from './report.js';
import type { ModelPlan, ModelRun, ModelSpec, RunSettings } from './run-model.js';

/** Size overrides from the command line (all models of an experiment alike), e.g. tiny models for a smoke run. */
export interface SizeOverrides {
  /** Recurrent hidden size H, or the Transformer's d_model. */
  hidden?: number;
  /** Recurrent embedding width E. */
  embedding?: number;
  /** Layers per side. */
  layers?: number;
  batchSize?: number;
}

export interface ExperimentSettings extends RunSettings {
  sizes?: SizeOverrides;
  /** transformer-vs-lstm: the dev BLEU whose time to reach is compared (default: 90 % of the lower best). */
  targetBleu?: number;
}

export interface ExperimentResult {
  name: string;
  verdict: Verdict;
  /** report.md's Markdown. */
  report: string;
  /** SVG files by name, linked from the report. */
  plots: Record<string, string>;
  runs: ModelRun[];
  /** Experiment-specific numbers for results.json (buckets, times to target, …). */
  details: Record<string, unknown>;
}

export interface Experiment {
  name: string;
  /** The paper's claim, one line (for `translator experiment --help`). */
  claim: string;
  run(data: ExperimentData, settings: ExperimentSettings): Promise<ExperimentResult>;
}

/** `translator train`'s training defaults for a model kind (read from the train command itself). */
export function trainDefaults(kind: ModelKind): BudgetTrainOptions {
  const s = settingsFromArgs(parse('train', ['--model', kind, '--minutes', '1'], trainOptionSpec));
  const defaults: BudgetTrainOptions = {
    batchSize: s.batchSize,
    lr: s.lr,
    lrDecay: s.lrDecay,
    clipNorm: s.clipNorm,
    labelSmoothing: s.labelSmoothing,
  };
  if (s.warmup !== undefined) defaults.warmup = s.warmup;
  if (s.betas) defaults.betas = s.betas;
  return defaults;
}

/** A plan with the train command's defaults for the kind and the size overrides applied. */
export function modelPlan(label: string, model: ModelSpec, sizes: SizeOverrides = {}): ModelPlan {
  const training = trainDefaults(model.kind);
  if (sizes.batchSize !== undefined) training.batchSize = sizes.batchSize;
  return { label, model: resize(model, sizes), training };
}

function resize(model: ModelSpec, sizes: SizeOverrides): ModelSpec {
  const { hidden, embedding, layers } = sizes;
  if (model.kind === 'transformer') {
    return {
      ...model,
      ...(hidden !== undefined ? { dModel: hidden } : {}),
      ...(layers !== undefined ? { numEncoderLayers: layers, numDecoderLayers: layers } : {}),
    };
  }
  return {
    ...model,
    ...(hidden !== undefined ? { hiddenSize: hidden } : {}),
    ...(embedding !== undefined ? { embeddingDim: embedding } : {}),
    ...(layers !== undefined ? { numLayers: layers } : {}),
  };
}

/** Writes report.md, the plots and results.json (hypotheses included) into `outDir`; returns the paths. */
export async function writeExperiment(result: ExperimentResult, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, content: string) => {
    const path = join(outDir, name);
    await writeFileAtomic(path, content);
    written.push(path);
  };
  await write('report.md', result.report);
  for (const [name, svg] of Object.entries(result.plots)) await write(name, svg);
  const resultsPath = join(outDir, 'results.json');
  await writeJsonAtomic(resultsPath, {
    experiment: result.name,
    verdict: result.verdict,
    runs: result.runs,
    ...result.details,
  });
  written.push(resultsPath);
  return written;
}
