import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import type { EncodedPair } from '../src/data/batches.js';
import { runDemo } from '../src/demo.js';
import { attentionTranslator, resolveAttentionConfig } from '../src/models/attention.js';
import { lstmTranslator } from '../src/models/lstm.js';
import { translate } from '../src/train/decode.js';
import { evaluateLoss, train } from '../src/train/train.js';

// A copy task over ids 4…11: the target is the source, so a few epochs suffice.
function copyPairs(count: number, seed: number): EncodedPair[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const src = Array.from({ length: 2 + Math.floor(next() * 4) }, () => 4 + Math.floor(next() * 8));
    return { src, tgt: [...src] };
  });
}

describe('attentionTranslator', () => {
  it('fills in the documented defaults and registers the attention, and decodes with per-step weights', () => {
    expect(resolveAttentionConfig({ srcVocabSize: 12, tgtVocabSize: 13 })).toEqual({
      kind: 'attention',
      srcVocabSize: 12,
      tgtVocabSize: 13,
      embeddingDim: 64,
      hiddenSize: 64,
      attention: 'bahdanau',
      attentionSize: 64,
      numLayers: 1,
      dropout: 0,
      teacherForcingRatio: 1,
      padIndex: 0,
    });
    manualSeed(0);
    const model = attentionTranslator({ srcVocabSize: 12, tgtVocabSize: 13, embeddingDim: 8, hiddenSize: 8 });
    expect(model.namedParameters().some(([name]) => name.startsWith('decoder.attention.'))).toBe(true);
    const pairs = copyPairs(2, 3);
    const out = translate(model, pairs, { maxLength: 4 });
    expect(out).toHaveLength(2);
    expect(out[0].attention?.shape[1]).toBeGreaterThanOrEqual(pairs[0].src.length);
  });
});

describe('train', () => {
  it('reduces the loss on a copy task and stops at its epoch count', async () => {
    manualSeed(1);
    const pairs = copyPairs(96, 7);
    const model = attentionTranslator({
      srcVocabSize: 12,
      tgtVocabSize: 12,
      embeddingDim: 16,
      hiddenSize: 16,
    });
    const before = evaluateLoss(model, pairs);
    const result = await train(model, {
      train: pairs,
      dev: pairs.slice(0, 16),
      epochs: 10,
      batchSize: 16,
      lr: 0.02,
      progress: false,
    });
    const after = evaluateLoss(model, pairs);
    expect(result.epochs).toHaveLength(10);
    expect(result.steps).toBe(10 * 6);
    expect(result.history).toHaveLength(result.steps);
    expect(result.devHistory.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(after).toBeLessThan(0.5 * before);
    expect(result.history.at(-1)?.loss).toBeLessThan(result.history[0].loss);
  });

  it('trains the attention-free LSTM translator too', async () => {
    manualSeed(2);
    const pairs = copyPairs(64, 5);
    const model = lstmTranslator({ srcVocabSize: 12, tgtVocabSize: 12, embeddingDim: 8, hiddenSize: 16 });
    const before = evaluateLoss(model, pairs);
    await train(model, { train: pairs, epochs: 3, batchSize: 16, lr: 0.02, progress: false });
    expect(evaluateLoss(model, pairs)).toBeLessThan(before);
    expect(translate(model, pairs.slice(0, 2))[0].attention).toBeNull();
  });

  it('needs epochs or minutes, and stops when the time budget runs out', async () => {
    const model = attentionTranslator({ srcVocabSize: 12, tgtVocabSize: 12, embeddingDim: 4, hiddenSize: 4 });
    const pairs = copyPairs(64, 2);
    await expect(train(model, { train: pairs, progress: false })).rejects.toThrow(/epochs or minutes/);
    const result = await train(model, { train: pairs, minutes: 1e-9, batchSize: 8, progress: false });
    expect(result.steps).toBe(1);
  });
});

describe('runDemo', () => {
  it('runs end to end on a tiny corpus and writes both pictures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'translator-demo-'));
    const lines: string[] = [];
    try {
      const result = await runDemo({
        corpusSize: 120,
        epochs: 1,
        minutes: 0.2,
        model: { embeddingDim: 8, hiddenSize: 8 },
        batchSize: 16,
        samples: 2,
        outDir: dir,
        progress: false,
        log: (line) => lines.push(line),
      });
      expect(result.testSize).toBe(12);
      expect(result.testBleu).toBeGreaterThanOrEqual(0);
      expect(result.training.history.length).toBeGreaterThan(0);
      expect(lines.join('\n')).toMatch(/test BLEU/);
      expect(lines.join('\n')).toMatch(/reference/);
      for (const file of ['attention.svg', 'loss.svg']) {
        expect(await readFile(join(dir, file), 'utf8')).toContain('</svg>');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
