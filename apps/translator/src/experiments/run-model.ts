/**
 * @file One model of an experiment: built from its configuration with a fixed seed, trained under the time
 * budget with dev BLEU measured along the way, then scored on the test split (greedy decoding, corpus BLEU as
 * sacreBLEU computes it) and its per-token test cross-entropy.
 */
import { sequenceCrossEntropy } from '@tensorloom/losses';
import { manualSeed } from '@tensorloom/tensor';
import { collate, planBatches } from '../data/batches.js';
import { translate } from '../decode/translate.js';
import { type BleuScore, corpusBleu } from '../eval/bleu.js';
import { buildModel } from '../models/build.js';
import type { ModelConfig, ResolvedModelConfig } from '../models/config.js';
import type { TranslatorModel } from '../models/translator-model.js';
import { evaluateLoss } from '../train/train.js';
import { type BudgetTrainOptions, type CurvePoint, trainWithBudget } from './budget.js';
import type { ExperimentData, HeldOut } from './data.js';

/** A model configuration without the vocabulary sizes, which come from the data. */
export type ModelSpec = ModelConfig extends infer C
  ? C extends ModelConfig
    ? Omit<C, 'srcVocabSize' | 'tgtVocabSize'>
    : never
  : never;

export interface ModelPlan {
  /** How reports name it, e.g. "LSTM, source reversed". */
  label: string;
  model: ModelSpec;
  training: BudgetTrainOptions;
}

export interface RunSettings {
  minutes: number;
  /** Dev BLEU measurements during training (default 10). */
  evaluations?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface ModelRun {
  label: string;
  config: ResolvedModelConfig;
  training: BudgetTrainOptions;
  parameters: number;
  steps: number;
  /** Epochs of training, the last one usually partial (2.5: two and a half). */
  epochs: number;
  trainSeconds: number;
  tokensPerSecond: number;
  /** Dev BLEU against training seconds. */
  curve: CurvePoint[];
  test: { bleu: BleuScore; loss: number; hypotheses: string[] };
}

/** Greedy translations of held-out pairs, as text. */
export function translateHeldOut(model: TranslatorModel, data: ExperimentData, heldOut: HeldOut): string[] {
  return translate(model, heldOut.pairs).map((t) => data.codecs.tgt.decode(t.ids));
}

/** Builds, trains and scores one model. */
export async function runModel(
  plan: ModelPlan,
  data: ExperimentData,
  settings: RunSettings,
): Promise<ModelRun> {
  const { minutes, evaluations = 10, seed = 1, log = () => {} } = settings;
  const config = {
    ...plan.model,
    srcVocabSize: data.codecs.src.vocab.size,
    tgtVocabSize: data.codecs.tgt.vocab.size,
  } as ModelConfig;
  warmUp(buildModel(config), data, plan.training.batchSize ?? 64);
  manualSeed(seed);
  const model = buildModel(config);
  const parameters = model.numParameters();
  log(`${plan.label}: ${model.kind} model, ${parameters} parameters, ${minutes} min of training`);
  const devBleu = (m: TranslatorModel) =>
    corpusBleu(translateHeldOut(m, data, data.dev), data.dev.references).score;
  const budget = await trainWithBudget(model, {
    ...plan.training,
    seed,
    train: data.train,
    minutes,
    evaluations,
    evaluate: devBleu,
    onEvaluation: (p) =>
      log(
        `  ${plan.label}: ${p.seconds.toFixed(0)} s, step ${p.step}, epoch ${p.epoch}: dev BLEU ${p.score.toFixed(2)}`,
      ),
  });
  const stepsPerEpoch = Math.ceil(data.train.length / (plan.training.batchSize ?? 64));
  const hypotheses = translateHeldOut(model, data, data.test);
  const bleu = corpusBleu(hypotheses, data.test.references);
  const loss = evaluateLoss(model, data.test.pairs);
  log(
    `  ${plan.label}: test BLEU ${bleu.score.toFixed(2)}, ${budget.tokensPerSecond.toFixed(0)} target tokens/s, ` +
      `${budget.result.steps} steps`,
  );
  return {
    label: plan.label,
    config: model.config,
    training: plan.training,
    parameters,
    steps: budget.result.steps,
    epochs: budget.result.state.epoch - 1 + budget.result.state.batchInEpoch / stepsPerEpoch,
    trainSeconds: budget.trainSeconds,
    tokensPerSecond: budget.tokensPerSecond,
    curve: budget.curve,
    test: { bleu, loss, hypotheses },
  };
}

/**
 * A few untimed training steps and a small decode on a throwaway model of the same kind, so that the timed run
 * does not pay for the JIT compiling its code paths (the first model of an experiment would pay more).
 */
function warmUp(model: TranslatorModel, data: ExperimentData, batchSize: number): void {
  for (const indices of planBatches(data.train, { batchSize, seed: 0 }).slice(0, 3)) {
    const batch = collate(data.train, indices);
    const { logits } = model.forwardBatch(batch); // [B, T, V]
    sequenceCrossEntropy(logits, batch.target, { padIndex: 0 }).loss.backward();
  }
  translate(model, data.dev.pairs.slice(0, 16));
}
