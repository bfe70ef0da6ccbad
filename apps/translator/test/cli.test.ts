import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { builtinCorpus } from '../src/corpus/builtin.js';

let dir: string;
let trainFile: string;
let devFile: string;

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    log: (line) => out.push(line),
    error: (line) => err.push(line),
    readStdin: async () => 'the red car is fast .\nhe sleeps .\n',
  });
  return { code, out, err: err.join('\n') };
}

const tiny = ['--hidden', '16', '--embedding', '16', '--batch-size', '16', '--dev-bleu-size', '20'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'translator-cli-'));
  const corpus = builtinCorpus({ seed: 3, size: 260, maxLength: 8 });
  const tsv = (pairs: { src: string; tgt: string }[]) =>
    `${pairs.map((p) => `${p.src}\t${p.tgt}`).join('\n')}\n`;
  trainFile = join(dir, 'train.tsv');
  devFile = join(dir, 'dev.tsv');
  await writeFile(trainFile, tsv(corpus.train));
  await writeFile(devFile, tsv(corpus.dev));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('translator CLI', () => {
  it('explains usage mistakes with exit code 2, naming the option', async () => {
    expect((await cli()).code).toBe(2);
    const unknown = await cli('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "fly"/);
    const noOut = await cli('train', '--epochs', '1');
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/--out DIR is required/);
    const badLr = await cli('train', '--epochs', '1', '--out', join(dir, 'x'), '--lr', 'fast');
    expect(badLr.err).toMatch(/--lr must be a number .*"fast"/);
    const wrongKind = await cli(
      'train',
      '--model',
      'transformer',
      '--epochs',
      '1',
      '--out',
      join(dir, 'x'),
      '--embedding',
      '8',
    );
    expect(wrongKind.err).toMatch(/--embedding does not apply to --model transformer/);
    const noBudget = await cli('train', '--out', join(dir, 'x'));
    expect(noBudget.err).toMatch(/--epochs N or --minutes N/);
  });

  it('trains, writes best and last checkpoints, translates and evaluates', async () => {
    const out = join(dir, 'run');
    const trained = await cli(
      'train',
      '--data',
      trainFile,
      '--dev',
      devFile,
      '--epochs',
      '2',
      '--out',
      out,
      ...tiny,
    );
    expect(trained.err).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.out.join('\n')).toMatch(/stopped \(epochs\) after \d+ steps/);
    for (const sub of ['last', 'best']) {
      const files = await readdir(join(out, sub));
      expect(files).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'model.safetensors']));
    }
    expect(await readdir(join(out, 'last'))).toEqual(
      expect.arrayContaining(['optimizer.safetensors', 'optimizer.json', 'trainer.json']),
    );
    expect((await readdir(out)).sort()).toEqual(['best', 'last', 'loss.svg']); // no temporary directories left behind
    const config = JSON.parse(await readFile(join(out, 'last', 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      format: 'tensorloom-translator',
      version: 1,
      model: { kind: 'attention', hiddenSize: 16 },
    });

    const translated = await cli('translate', '--model', out, 'the red car is fast .', 'he sleeps .');
    expect(translated.code).toBe(0);
    expect(translated.out).toHaveLength(2);
    const fromStdin = await cli('translate', '--model', out, '--beam', '3');
    expect(fromStdin.out).toHaveLength(2);
    const svg = join(dir, 'attention.svg');
    await cli('translate', '--model', join(out, 'last'), '--show-attention', svg, 'he sleeps .');
    expect(await readFile(svg, 'utf8')).toMatch(/<svg[^>]*>.*he.*sleeps/s);

    const evaluated = await cli('eval', '--model', out, '--data', devFile, '--buckets', '4,6');
    expect(evaluated.code).toBe(0);
    expect(evaluated.out.join('\n')).toMatch(/BLEU \d+\.\d\d .*chrF \d+\.\d\d/);
    expect(evaluated.out.filter((line) => line.includes('source '))).toHaveLength(3);
  });

  it('resumes a run so that it ends exactly as the uninterrupted run', async () => {
    const whole = join(dir, 'whole');
    const split = join(dir, 'split');
    const args = ['--data', trainFile, '--dev', devFile, ...tiny, '--dropout', '0.1', '--seed', '5'];
    expect((await cli('train', ...args, '--epochs', '3', '--out', whole)).code).toBe(0);
    expect((await cli('train', ...args, '--epochs', '1', '--out', split)).code).toBe(0);
    const changed = await cli('train', '--resume', split, '--epochs', '3', '--lr', '1');
    expect(changed.err).toMatch(/--lr cannot change on resume/);
    const resumed = await cli('train', '--resume', split, '--epochs', '3');
    expect(resumed.code).toBe(0);
    expect(resumed.out.join('\n')).toMatch(/^resuming attention model/m);
    for (const file of ['model.safetensors', 'optimizer.safetensors', 'trainer.json']) {
      const a = await readFile(join(whole, 'last', file));
      const b = await readFile(join(split, 'last', file));
      if (file === 'trainer.json') {
        const [sa, sb] = [JSON.parse(a.toString()), JSON.parse(b.toString())];
        expect(sb.history).toEqual(sa.history);
        expect(sb.epochs.map((e: { devBleu: number }) => e.devBleu)).toEqual(
          sa.epochs.map((e: { devBleu: number }) => e.devBleu),
        );
      } else {
        expect(Buffer.compare(a, b), file).toBe(0);
      }
    }
  });

  it('saves a checkpoint on Ctrl-C and resumes from it', async () => {
    const out = join(dir, 'interrupted');
    setTimeout(() => process.emit('SIGINT'), 400);
    const run = await cli('train', '--data', trainFile, ...tiny, '--epochs', '500', '--out', out);
    expect(run.code).toBe(130);
    expect(run.out.join('\n')).toMatch(/interrupted after \d+ steps/);
    const trainer = JSON.parse(await readFile(join(out, 'last', 'trainer.json'), 'utf8'));
    expect(trainer.step).toBeGreaterThan(0);
    expect(trainer.finished).toBeNull();
    const resumed = await cli('train', '--resume', out, '--epochs', String(trainer.epoch));
    expect(resumed.code).toBe(0);
    const after = JSON.parse(await readFile(join(out, 'last', 'trainer.json'), 'utf8'));
    expect(after.step).toBeGreaterThanOrEqual(trainer.step);
    expect(after.finished).toBe('epochs');
  });

  it('reports a directory without a checkpoint and a damaged config clearly', async () => {
    const missing = await cli('translate', '--model', join(dir, 'nothing'), 'hello');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no translator checkpoint at .*nothing/);
    const bad = join(dir, 'bad');
    await cli('train', '--data', trainFile, ...tiny, '--epochs', '1', '--out', bad);
    await writeFile(join(bad, 'last', 'config.json'), '{"format": "other"}');
    const damaged = await cli('translate', '--model', join(bad, 'last'), 'hello');
    expect(damaged.err).toMatch(/config\.json: not a translator checkpoint config/);
  });
});
