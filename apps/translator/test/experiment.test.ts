import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import type { LengthBucket } from '../src/eval/bleu-by-length.js';
import { lengthBuckets, lengthVerdict } from '../src/experiments/attention-vs-length.js';
import { trainWithBudget } from '../src/experiments/budget.js';
import {
  type ExperimentData,
  findRepositoryRoot,
  loadExperimentData,
  missingDataMessage,
} from '../src/experiments/data.js';
import { type ExperimentSettings, trainDefaults, writeExperiment } from '../src/experiments/experiment.js';
import { experiments } from '../src/experiments/index.js';
import { formatBleu } from '../src/experiments/report.js';
import { reverseSourceVerdict } from '../src/experiments/reverse-source.js';
import { speedVerdict, timeToReach } from '../src/experiments/transformer-vs-lstm.js';
import { buildModel } from '../src/models/build.js';
import { parseXml } from './xml.js';

let dir: string;
let data: ExperimentData;
const tiny: ExperimentSettings = {
  minutes: 0.04,
  evaluations: 2,
  sizes: { hidden: 16, embedding: 16, layers: 1, batchSize: 32 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'translator-experiment-'));
  data = await loadExperimentData('builtin', { builtinSize: 1500, devLimit: 40, testLimit: 120 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bucket = (from: number, to: number, bleu: number | null): LengthBucket => ({
  from,
  to,
  sentences: bleu === null ? 0 : 10,
  bleu,
});

describe('experiment verdicts', () => {
  it('reverse-source: decided by the test BLEU difference, with a 1-point margin', () => {
    expect(reverseSourceVerdict({ bleu: 30.6, loss: 1.55 }, { bleu: 25.9, loss: 1.76 }).outcome).toBe(
      'reproduced',
    );
    expect(reverseSourceVerdict({ bleu: 20, loss: 2 }, { bleu: 22, loss: 2 }).outcome).toBe('not reproduced');
    const close = reverseSourceVerdict({ bleu: 20.4, loss: 2 }, { bleu: 20, loss: 2 });
    expect(close.outcome).toBe('inconclusive');
    expect(close.summary).toContain('20.40 reversed (+0.40)');
  });

  it('attention-vs-length: reproduced when BLEU without attention falls faster and attention leads on long ones', () => {
    const plain = [bucket(0, 5, 30), bucket(6, 10, 20), bucket(11, Infinity, 10)];
    const holds = [bucket(0, 5, 31), bucket(6, 10, 30), bucket(11, Infinity, 29)];
    const falls = [bucket(0, 5, 40), bucket(6, 10, 20), bucket(11, Infinity, 5)];
    const reproduced = lengthVerdict(plain, holds);
    expect(reproduced.outcome).toBe('reproduced');
    expect(reproduced.summary).toContain('30.00 → 10.00 (down 20.00)');
    expect(lengthVerdict(plain, falls).outcome).toBe('not reproduced');
    expect(
      lengthVerdict(plain, [bucket(0, 5, 30.2), bucket(6, 10, 20), bucket(11, Infinity, 10.5)]).outcome,
    ).toBe('inconclusive');
    expect(lengthVerdict([bucket(0, Infinity, 30)], [bucket(0, Infinity, 31)]).outcome).toBe('inconclusive');
  });

  it('attention-vs-length: buckets of similar size from the lengths', () => {
    expect(lengthBuckets([3, 3, 4, 5, 6, 7, 9, 12], 4)).toEqual([3, 5, 7]);
    expect(lengthBuckets([4, 4, 4, 4], 4)).toEqual([]); // one length: one open bucket
  });

  it('transformer-vs-lstm: time to a target, interpolated, and who got there first', () => {
    const curve = [
      { seconds: 10, score: 5 },
      { seconds: 20, score: 15 },
      { seconds: 30, score: 12 },
    ];
    expect(timeToReach(curve, 10)).toBe(15);
    expect(timeToReach(curve, 4)).toBe(10);
    expect(timeToReach(curve, 16)).toBeNull();
    expect(speedVerdict(10, 15, 40).outcome).toBe('reproduced');
    expect(speedVerdict(10, 15, null).outcome).toBe('reproduced');
    expect(speedVerdict(10, 40, 15).outcome).toBe('not reproduced');
    expect(speedVerdict(10, null, 15).outcome).toBe('not reproduced');
    expect(speedVerdict(10, 20, 21).outcome).toBe('inconclusive');
    expect(speedVerdict(null, null, null).outcome).toBe('inconclusive');
    expect(speedVerdict(10, 15, 40).summary).toContain('2.67× sooner');
  });
});

describe('experiment set-up', () => {
  it('uses the train command’s defaults per model kind', () => {
    expect(trainDefaults('lstm')).toEqual({
      batchSize: 32,
      lr: 5e-3,
      lrDecay: 0.8,
      clipNorm: 1,
      labelSmoothing: 0,
    });
    expect(trainDefaults('transformer')).toMatchObject({ batchSize: 64, warmup: 400, labelSmoothing: 0.1 });
  });

  it('finds the repository root and says where to get data when there is none', () => {
    const root = findRepositoryRoot(dirname(fileURLToPath(import.meta.url))) as string;
    expect(existsSync(join(root, 'pnpm-workspace.yaml'))).toBe(true);
    expect(missingDataMessage()).toMatch(/--data DIR.*--data builtin/s);
  });

  it('stops training on training time alone and leaves evaluations out of it', async () => {
    const model = buildModel({
      kind: 'lstm',
      srcVocabSize: data.codecs.src.vocab.size,
      tgtVocabSize: data.codecs.tgt.vocab.size,
      hiddenSize: 8,
      embeddingDim: 8,
    });
    const slowEvaluation = () => {
      const until = performance.now() + 300;
      while (performance.now() < until) {} // an evaluation that costs 0.3 s
      return 1;
    };
    // 1.8 s of training, evaluated every 0.6 s: room for a slow first step on a loaded CI machine (with 0.6 s in
    // all, one step of a busy moment once took the whole budget and left only the final evaluation).
    const run = await trainWithBudget(model, {
      train: data.train,
      minutes: 0.03,
      evaluations: 3,
      evaluate: slowEvaluation,
      batchSize: 32,
    });
    expect(run.trainSeconds).toBeGreaterThanOrEqual(1.8);
    expect(run.trainSeconds).toBeLessThan(6);
    expect(run.evaluationSeconds).toBeGreaterThanOrEqual(0.3 * run.curve.length);
    expect(run.curve.length).toBeGreaterThanOrEqual(2); // at 0.6 s or later, and at the end
    expect(run.curve.at(-1)?.seconds).toBeCloseTo(run.trainSeconds, 1);
    expect(run.result.stopped).toBe('interrupted');
    expect(run.tokensPerSecond).toBeCloseTo(run.result.state.tokens / run.trainSeconds, 3);
  }, 30_000);

  it('takes turns with another run and leaves the turns it gives away out of training time', async () => {
    const model = buildModel({
      kind: 'lstm',
      srcVocabSize: data.codecs.src.vocab.size,
      tgtVocabSize: data.codecs.tgt.vocab.size,
      hiddenSize: 8,
      embeddingDim: 8,
    });
    const turnsTaken: number[] = [];
    // The other run's turn: 0.25 s of someone else's work, awaited like a child process's reply.
    const yieldTurn = async () => {
      turnsTaken.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 250));
    };
    const run = await trainWithBudget(model, {
      train: data.train,
      minutes: 0.02, // 1.2 s of training in turns of 0.3 s
      batchSize: 32,
      turns: { seconds: 0.3, yieldTurn },
    });
    expect(run.trainSeconds).toBeGreaterThanOrEqual(1.2);
    expect(run.trainSeconds).toBeLessThan(6);
    // A turn is yielded after each 0.3 s of training except the last: 3, or 4 if the budget ends on a turn's edge.
    expect(turnsTaken.length).toBeGreaterThanOrEqual(3);
    expect(turnsTaken.length).toBeLessThanOrEqual(4);
    expect(run.waitedSeconds).toBeGreaterThanOrEqual(0.25 * turnsTaken.length);
    expect(run.waitedSeconds).toBeLessThan(0.25 * turnsTaken.length + 1);
    expect(run.tokensPerSecond).toBeCloseTo(run.result.state.tokens / run.trainSeconds, 3);
    await expect(
      trainWithBudget(model, { train: data.train, minutes: 0.01, turns: { seconds: 0, yieldTurn } }),
    ).rejects.toThrow(/turns.seconds must be > 0/);
  }, 30_000);
});

interface ResultsJson {
  experiment: string;
  runs: { test: { bleu: { score: number } } }[];
  byLength?: { buckets: LengthBucket[] }[];
  targetBleu?: number | null;
  secondsToTarget?: { transformer: number | null; lstmWithAttention: number | null };
}

/** The outcome the numbers in results.json call for, derived here independently of the experiment's code. */
function expectedOutcome(results: ResultsJson): string {
  const bleu = (i: number) => results.runs[i].test.bleu.score as number;
  const decide = (forward: boolean, backward: boolean) =>
    forward ? 'reproduced' : backward ? 'not reproduced' : 'inconclusive';
  switch (results.experiment) {
    case 'reverse-source':
      return decide(bleu(0) - bleu(1) >= 1, bleu(0) - bleu(1) <= -1);
    case 'attention-vs-length': {
      const [plain, attention] = (results.byLength ?? []).map((m) =>
        m.buckets.filter((b) => b.bleu !== null).map((b) => b.bleu as number),
      );
      if (plain.length < 2) return 'inconclusive';
      const plainDrop = plain[0] - plain[plain.length - 1];
      const attentionDrop = attention[0] - attention[attention.length - 1];
      const gap = attention[attention.length - 1] - plain[plain.length - 1];
      return decide(plainDrop - attentionDrop >= 1 && gap > 0, attentionDrop - plainDrop >= 1 || gap <= -1);
    }
    default: {
      const { transformer, lstmWithAttention } = results.secondsToTarget ?? {
        transformer: null,
        lstmWithAttention: null,
      };
      if (results.targetBleu === null || (transformer === null && lstmWithAttention === null))
        return 'inconclusive';
      if (lstmWithAttention === null) return 'reproduced';
      if (transformer === null) return 'not reproduced';
      return decide(transformer <= 0.9 * lstmWithAttention, transformer >= 1.1 * lstmWithAttention);
    }
  }
}

describe.each(experiments.map((e) => [e.name, e] as const))(
  'experiment %s (smoke run on the built-in corpus)',
  (name, experiment) => {
    it('writes a report, SVG plots and results whose verdict follows the numbers', async () => {
      const result = await experiment.run(data, tiny);
      const outDir = join(dir, name);
      const written = await writeExperiment(result, outDir);
      expect(written).toEqual(
        expect.arrayContaining([join(outDir, 'report.md'), join(outDir, 'results.json')]),
      );
      const svgs = written.filter((p) => p.endsWith('.svg'));
      expect(svgs.length).toBeGreaterThanOrEqual(1);
      for (const svg of svgs) expect(parseXml(await readFile(svg, 'utf8')).name).toBe('svg');

      const report = await readFile(join(outDir, 'report.md'), 'utf8');
      const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8'));
      expect(results.runs).toHaveLength(2);
      for (const run of results.runs) {
        expect(run.trainSeconds).toBeGreaterThan(0);
        expect(run.test.hypotheses).toHaveLength(data.test.pairs.length);
        expect(report).toContain(formatBleu(run.test.bleu.score));
        expect(run.curve.length).toBeGreaterThanOrEqual(2);
      }
      const outcome = expectedOutcome(results);
      expect(results.verdict.outcome).toBe(outcome);
      expect(report).toContain(`**Verdict: ${outcome[0].toUpperCase()}${outcome.slice(1)}.**`);
      for (const svg of svgs) expect(report).toContain(`](${svg.split('/').at(-1)})`);
    }, 120_000);
  },
);

describe('translator experiment (CLI)', () => {
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      log: (line) => out.push(line),
      error: (line) => err.push(line),
      readStdin: async () => '',
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('lists the experiments and rejects unknown ones and bad data folders', async () => {
    const help = await cli('experiment', '--help');
    expect(help.code).toBe(0);
    for (const e of experiments) expect(help.out).toContain(e.name);
    const unknown = await cli('experiment', 'bigger-is-better');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown experiment "bigger-is-better"/);
    const missing = await cli('experiment', 'reverse-source', '--data', join(dir, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no train\.tsv there/);
  });

  it('runs an experiment on --data builtin and writes its files under --out', async () => {
    const outDir = join(dir, 'cli');
    const run = await cli(
      'experiment',
      'reverse-source',
      '--data',
      'builtin',
      '--minutes',
      '0.03',
      '--evaluations',
      '2',
      '--hidden',
      '16',
      '--embedding',
      '16',
      '--dev-limit',
      '30',
      '--test-limit',
      '60',
      '--out',
      outDir,
    );
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Verdict: (Reproduced|Not reproduced|Inconclusive)\./);
    expect(existsSync(join(outDir, 'report.md'))).toBe(true);
    expect(existsSync(join(outDir, 'dev-bleu.svg'))).toBe(true);
  }, 120_000);
});
