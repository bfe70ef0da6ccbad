/**
 * @file Experiment `transformer-vs-lstm`: Vaswani et al. (2017) report that the Transformer reaches better BLEU
 * than recurrent models at a fraction of their training cost (§6.1, Table 2). Here the `transformer` and the
 * `attention` (LSTM + Bahdanau attention) models are trained under one budget, and the training time each needs
 * to reach a given dev BLEU is read off their dev-BLEU-against-time curves.
 */
import type { CurvePoint } from './budget.js';
import type { ExperimentData } from './data.js';
import type { Experiment, ExperimentResult, ExperimentSettings } from './experiment.js';
import { modelPlan } from './experiment.js';
import {
  devCurveChart,
  formatBleu,
  markdownTable,
  modelsTable,
  overridesNote,
  resultsTable,
  runEnvironment,
  setupSection,
  type Verdict,
  verdictLine,
} from './report.js';
import { runModel } from './run-model.js';

/** Times within this fraction of each other count as equal (evaluations are spaced a tenth of the budget apart). */
export const timeMargin = 0.1;
/** The default target: this share of the lower of the two models' best dev BLEU, so both can reach it. */
export const targetShare = 0.9;
/** A default target below this many BLEU points would be a race between untrained models: no verdict then. */
export const minimumTarget = 1;

/**
 * The training seconds at which the curve first reaches `target`, interpolated linearly from the evaluation
 * before; the first evaluation's time if it is already there; null if never.
 * @example timeToReach([{ seconds: 10, score: 5 }, { seconds: 20, score: 15 }], 10) // 15
 */
export function timeToReach(
  curve: readonly Pick<CurvePoint, 'seconds' | 'score'>[],
  target: number,
): number | null {
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].score < target) continue;
    if (i === 0) return curve[0].seconds;
    const before = curve[i - 1];
    const after = curve[i];
    return (
      before.seconds +
      ((target - before.score) / (after.score - before.score)) * (after.seconds - before.seconds)
    );
  }
  return null;
}

/** The verdict from the two times to the target (null: not reached within the budget). */
export function speedVerdict(
  target: number | null,
  transformer: number | null,
  lstm: number | null,
): Verdict {
  if (target === null) {
    return {
      outcome: 'inconclusive',
      summary:
        `The weaker model's best dev BLEU stayed below ${(minimumTarget / targetShare).toFixed(2)}, too low for a ` +
        `target of at least ${minimumTarget} BLEU: there is no meaningful score to race to.`,
    };
  }
  const goal = `dev BLEU ${formatBleu(target)}`;
  const secs = (s: number) => `${s.toFixed(0)} s`;
  if (transformer === null && lstm === null) {
    return { outcome: 'inconclusive', summary: `Neither model reached ${goal} within the budget.` };
  }
  if (lstm === null) {
    return {
      outcome: 'reproduced',
      summary: `The Transformer reached ${goal} after ${secs(transformer as number)} of training; the LSTM with attention never did within the budget.`,
    };
  }
  if (transformer === null) {
    return {
      outcome: 'not reproduced',
      summary: `The LSTM with attention reached ${goal} after ${secs(lstm)} of training; the Transformer never did within the budget.`,
    };
  }
  const times = `the Transformer after ${secs(transformer)} of training, the LSTM with attention after ${secs(lstm)}`;
  if (transformer <= lstm * (1 - timeMargin)) {
    return {
      outcome: 'reproduced',
      summary: `Both reached ${goal}: ${times}, ${(lstm / Math.max(transformer, 1e-9)).toFixed(2)}× sooner.`,
    };
  }
  if (transformer >= lstm * (1 + timeMargin)) {
    return {
      outcome: 'not reproduced',
      summary: `Both reached ${goal}, the LSTM with attention first: ${times}.`,
    };
  }
  return {
    outcome: 'inconclusive',
    summary: `Both reached ${goal} within ${timeMargin * 100} % of each other's time: ${times}.`,
  };
}

export const transformerVsLstm: Experiment = {
  name: 'transformer-vs-lstm',
  claim:
    'the Transformer reaches a given BLEU in less training time than the LSTM with attention (Vaswani et al., 2017)',
  async run(data: ExperimentData, settings: ExperimentSettings): Promise<ExperimentResult> {
    const env = runEnvironment();
    const { minutes, evaluations = 10, seed = 1 } = settings;
    const plans = [
      modelPlan('Transformer', { kind: 'transformer' }, settings.sizes),
      modelPlan('LSTM + attention', { kind: 'attention' }, settings.sizes),
    ];
    const runs = [];
    for (const plan of plans) runs.push(await runModel(plan, data, settings));
    const best = runs.map((r) => Math.max(...r.curve.map((p) => p.score)));
    const lowerBest = Math.min(...best);
    const target =
      settings.targetBleu ?? (targetShare * lowerBest >= minimumTarget ? targetShare * lowerBest : null);
    const [transformerTime, lstmTime] = runs.map((r) =>
      target === null ? null : timeToReach(r.curve, target),
    );
    const verdict = speedVerdict(target, transformerTime, lstmTime);
    const timeTable = markdownTable(
      ['model', `training seconds to dev BLEU ${formatBleu(target)}`, 'best dev BLEU', 'target tokens/s'],
      runs.map((r, i) => [
        r.label,
        [transformerTime, lstmTime][i] === null
          ? 'not reached'
          : ([transformerTime, lstmTime][i] as number).toFixed(0),
        formatBleu(best[i]),
        r.tokensPerSecond.toFixed(0),
      ]),
    );
    const targetWhy =
      settings.targetBleu !== undefined
        ? `the target was given (--target-bleu ${settings.targetBleu})`
        : `the target is ${targetShare * 100} % of the lower of the two best dev BLEUs, so that both can reach it, ` +
          `if that is at least ${minimumTarget} BLEU`;
    const report = [
      '# Time to a given BLEU: Transformer against LSTM with attention (Vaswani et al., 2017)',
      '',
      'The claim: the Transformer, which has no recurrence and so computes all positions of a sentence at once, ' +
        'reaches a given translation quality with much less training than recurrent models with attention ' +
        '(the paper, §6.1 and Table 2, compares training cost in FLOPs; here it is wall-clock time on this machine).',
      '',
      verdictLine(verdict),
      '',
      setupSection(data.description, minutes, evaluations, seed, env),
      '',
      '## Models',
      '',
      "`translator train --model transformer` and `--model attention`, each with that command's defaults for " +
        'its kind (sizes, learning-rate schedule, label smoothing).' +
        overridesNote(settings.sizes),
      '',
      modelsTable(runs),
      '',
      '## Results',
      '',
      resultsTable(runs),
      '',
      `Time to the target (${targetWhy}; interpolated between evaluations):`,
      '',
      timeTable,
      '',
      '![dev BLEU against training time](dev-bleu.svg)',
      '',
      '## What this does and does not reproduce',
      '',
      `- "Reproduced" means the Transformer reached the target at least ${timeMargin * 100} % sooner (or the ` +
        'LSTM never did); the opposite is "not reproduced"; closer than that is inconclusive. With dev BLEU ' +
        `measured ${evaluations} times per run, the times are only as fine as that spacing allows.`,
      "- The paper's models are large (65M and 213M parameters) and trained on 8 GPUs, where the Transformer's " +
        'parallelism over positions pays most. On 2 CPU cores with small models the per-step costs differ: the ' +
        'throughput column shows how many target tokens each model trains on per second here.',
      '- Each model uses its own default sizes and schedule, as a user of `translator train` would get; ' +
        'neither was tuned for this comparison. One seed per model.',
      '',
    ].join('\n');
    return {
      name: 'transformer-vs-lstm',
      verdict,
      report,
      plots: {
        'dev-bleu.svg': devCurveChart(
          runs,
          'dev BLEU against training time',
          target === null ? undefined : { y: target, label: `target: dev BLEU ${formatBleu(target)}` },
        ),
      },
      runs,
      details: {
        targetBleu: target,
        secondsToTarget: { transformer: transformerTime, lstmWithAttention: lstmTime },
      },
    };
  },
};
