// Loads the translator app's built modules (apps/translator/dist) at run time: the translator comparison trains
// the app's own models with its own data loading, training loop, decoding and BLEU. The few types it needs are
// declared here, so that typechecking the benchmarks does not depend on the app having been built.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Tensor } from '@tensorloom/tensor';

export interface EncodedPair {
  src: readonly number[];
  tgt: readonly number[];
}

export interface TextCodec {
  vocab: { size: number };
  decode(ids: readonly number[]): string;
}

export interface ExperimentData {
  description: string;
  codecs: { src: TextCodec; tgt: TextCodec };
  train: EncodedPair[];
  test: { pairs: EncodedPair[]; sources: string[]; references: string[] };
}

/** The training loop's settings (apps/translator/src/train/train.ts TrainOptions). */
export interface TrainingSettings {
  batchSize?: number;
  lr?: number;
  lrDecay?: number;
  warmup?: number;
  betas?: [number, number];
  clipNorm?: number;
  labelSmoothing?: number;
  seed?: number;
}

export type ModelConfig = { kind: string } & Record<string, unknown>;

export interface TranslatorModel {
  readonly config: ModelConfig;
  numParameters(): number;
  namedParameters(): [string, Tensor][];
  forwardBatch(batch: Batch): { logits: Tensor };
  train(mode?: boolean): unknown;
  eval(): unknown;
}

export interface Batch {
  target: Tensor;
  numTargetTokens: number;
}

export interface BudgetResult {
  trainSeconds: number;
  tokensPerSecond: number;
  result: { steps: number; state: { tokens: number; epoch: number; batchInEpoch: number } };
}

export interface TranslatorApp {
  loadExperimentData(
    spec: string,
    options?: { trainLimit?: number; devLimit?: number; testLimit?: number },
  ): Promise<ExperimentData>;
  findDefaultData(): string | null;
  missingDataMessage(): string;
  trainDefaults(kind: string): TrainingSettings;
  buildModel(config: ModelConfig): TranslatorModel;
  planBatches(examples: readonly EncodedPair[], options: { batchSize: number; seed: number }): number[][];
  collate(examples: readonly EncodedPair[], indices: readonly number[]): Batch;
  translate(model: TranslatorModel, examples: readonly EncodedPair[]): { ids: number[] }[];
  corpusBleu(hypotheses: readonly string[], references: readonly string[]): { score: number };
  trainWithBudget(
    model: TranslatorModel,
    options: TrainingSettings & {
      train: readonly EncodedPair[];
      minutes: number;
      turns?: { seconds: number; yieldTurn: () => Promise<void> };
    },
  ): Promise<BudgetResult>;
}

const APP_DIR = fileURLToPath(new URL('../../apps/translator/', import.meta.url));
const modules = [
  'experiments/data.js',
  'experiments/experiment.js',
  'experiments/budget.js',
  'models/build.js',
  'data/batches.js',
  'decode/translate.js',
  'eval/bleu.js',
];

export const BUILD_COMMAND = 'pnpm turbo run build --filter=@tensorloom/translator...';

/** The app's modules from its dist/, or an error saying how to build them. */
export async function loadTranslatorApp(): Promise<TranslatorApp> {
  const dist = join(APP_DIR, 'dist');
  const missing = modules.filter((m) => !existsSync(join(dist, m)));
  if (missing.length > 0) {
    throw new Error(
      `the translator app is not built (no dist/${missing[0]}): run \`${BUILD_COMMAND}\` first`,
    );
  }
  const loaded = await Promise.all(modules.map((m) => import(pathToFileURL(join(dist, m)).href)));
  return Object.assign({}, ...loaded) as TranslatorApp;
}

/** A warning when the app's dist/ is older than its src/ (the run would measure stale code), else null. */
export function staleBuildWarning(): string | null {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  try {
    return newest(join(APP_DIR, 'src')) > newest(join(APP_DIR, 'dist'))
      ? `apps/translator/dist is older than its src/: rebuild with \`${BUILD_COMMAND}\``
      : null;
  } catch {
    return null;
  }
}
