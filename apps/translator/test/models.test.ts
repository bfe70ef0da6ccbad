import { manualSeed, noGrad, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';
import { collate } from '../src/data/batches.js';
import { attentionTranslator } from '../src/models/attention.js';
import { buildModel, resolveModelConfig } from '../src/models/build.js';
import type { ModelConfig } from '../src/models/config.js';
import { lstmTranslator } from '../src/models/lstm.js';
import { TransformerTranslator } from '../src/models/transformer.js';
import { column, smallConfigs, toyBatch, toyPairs, vocabSize } from './model-fixtures.js';

const kinds = Object.entries(smallConfigs);

function build(config: ModelConfig, seed = 0) {
  manualSeed(seed);
  return buildModel(config).eval();
}

describe('model configs', () => {
  it('fill in the documented defaults, kind included', () => {
    expect(resolveModelConfig({ kind: 'lstm', srcVocabSize: 10, tgtVocabSize: 11 })).toEqual({
      kind: 'lstm',
      srcVocabSize: 10,
      tgtVocabSize: 11,
      embeddingDim: 64,
      hiddenSize: 128,
      numLayers: 1,
      bidirectional: false,
      reverseSource: true,
      dropout: 0,
      teacherForcingRatio: 1,
      padIndex: 0,
    });
    expect(
      resolveModelConfig({ kind: 'attention', srcVocabSize: 10, tgtVocabSize: 11, hiddenSize: 32 }),
    ).toEqual({
      kind: 'attention',
      srcVocabSize: 10,
      tgtVocabSize: 11,
      embeddingDim: 64,
      hiddenSize: 32,
      attention: 'bahdanau',
      attentionSize: 32,
      numLayers: 1,
      dropout: 0,
      teacherForcingRatio: 1,
      padIndex: 0,
    });
    expect(
      resolveModelConfig({ kind: 'transformer', srcVocabSize: 10, tgtVocabSize: 11, dModel: 32 }),
    ).toEqual({
      kind: 'transformer',
      srcVocabSize: 10,
      tgtVocabSize: 11,
      dModel: 32,
      nhead: 4,
      numEncoderLayers: 2,
      numDecoderLayers: 2,
      dimFeedforward: 128,
      dropout: 0.1,
      activation: 'relu',
      normFirst: false,
      positions: 'sinusoidal',
      maxLength: 256,
      tieOutput: true,
      shareEmbeddings: false,
      padIndex: 0,
    });
  });

  it('reject bad values with a RangeError naming the model and the field', () => {
    const v = { srcVocabSize: 10, tgtVocabSize: 10 };
    const bad: [unknown, RegExp][] = [
      [
        { kind: 'gru', ...v },
        /buildModel: config.kind must be 'lstm', 'attention' or 'transformer' \(got "gru"\)/,
      ],
      [null, /config.kind/],
      [{ kind: 'lstm', ...v, hiddensize: 8 }, /lstm: unknown config field 'hiddensize'/],
      [{ kind: 'lstm', ...v, hiddenSize: 7, bidirectional: true }, /lstm: .*hiddenSize.*even \(got 7\)/],
      [
        { kind: 'lstm', ...v, teacherForcingRatio: 1.5 },
        /lstm: teacherForcingRatio must be a number in \[0, 1\] \(got 1.5\)/,
      ],
      [{ kind: 'lstm', ...v, dropout: 1 }, /lstm: dropout must be a number in \[0, 1\) \(got 1\)/],
      [{ kind: 'lstm', ...v, numLayers: 0 }, /lstm: numLayers must be an integer ≥ 1 \(got 0\)/],
      [{ kind: 'lstm', srcVocabSize: 10, tgtVocabSize: 2.5 }, /lstm: tgtVocabSize must be an integer/],
      [
        { kind: 'lstm', ...v, padIndex: 10 },
        /lstm: padIndex must be a valid id of both vocabularies \(< 10, got 10\)/,
      ],
      [{ kind: 'attention', ...v, hiddenSize: 9 }, /attention: hiddenSize must be even/],
      [
        { kind: 'attention', ...v, attention: 'luong' },
        /attention: attention must be one of 'bahdanau', 'luong-dot'/,
      ],
      [{ kind: 'transformer', ...v, dModel: 30, nhead: 4 }, /transformer: dModel must be divisible by nhead/],
      [{ kind: 'transformer', ...v, positions: 'rotary' }, /transformer: positions must be one of/],
      [{ kind: 'transformer', ...v, activation: 'tanh' }, /transformer: activation must be one of/],
      [{ kind: 'transformer', ...v, tieOutput: 'yes' }, /transformer: tieOutput must be a boolean/],
      [
        { kind: 'transformer', srcVocabSize: 10, tgtVocabSize: 12, shareEmbeddings: true },
        /transformer: shareEmbeddings needs one joint vocabulary, so srcVocabSize = tgtVocabSize \(got 10 and 12\)/,
      ],
    ];
    for (const [config, message] of bad) {
      expect(() => buildModel(config as ModelConfig)).toThrow(RangeError);
      expect(() => buildModel(config as ModelConfig)).toThrow(message);
    }
  });
});

describe.each(kinds)('%s model', (_name, config) => {
  it('builds from its JSON config, and a rebuilt model with its state dict computes the same logits', () => {
    const model = build(config);
    expect(model.kind).toBe(config.kind);
    const saved = JSON.parse(JSON.stringify(model.config)) as ModelConfig;
    expect(saved).toEqual(resolveModelConfig(config));
    const copy = build(saved, 99);
    copy.loadStateDict(model.stateDict());
    const batch = toyBatch();
    noGrad(() => {
      expect(copy.forwardBatch(batch).logits).toBeAllClose(model.forwardBatch(batch).logits, { atol: 1e-6 });
    });
  });

  it('gives logits [B, T, V] and attention [B, T, S] (rows summing to 1 over real source tokens), or none', () => {
    const model = build(config);
    const batch = toyBatch();
    const [B, S] = batch.src.shape;
    const T = batch.decoderInput.shape[1];
    const { logits, attention } = noGrad(() => model.forwardBatch(batch));
    expect(logits.shape).toEqual([B, T, model.config.tgtVocabSize]);
    if (config.kind === 'lstm') {
      expect(attention).toBeNull();
      return;
    }
    expect(attention?.shape).toEqual([B, T, S]);
    const weights = attention as Tensor;
    const lengths = Array.from(batch.srcLengths.dataSync());
    lengths.forEach((n, b) => {
      const rows = weights.select(0, b);
      expect(rows.sum(-1)).toBeAllClose(new Array(T).fill(1), { atol: 1e-5 });
      if (n < S)
        expect(
          rows
            .narrow(1, n, S - n)
            .abs()
            .max()
            .item(),
        ).toBe(0);
    });
  });

  it('gives a row the same logits whatever else shares its batch (padding does not leak)', () => {
    const model = build(config);
    const together = toyBatch(); // every pair, padded to the longest source and target
    noGrad(() => {
      const all = model.forwardBatch(together).logits; // [B, T, V]
      together.indices.forEach((example, row) => {
        const alone = model.forwardBatch(collate(toyPairs, [example])).logits; // [1, T_e, V]
        const steps = toyPairs[example].tgt.length + 1;
        expect(all.select(0, row).narrow(0, 0, steps)).toBeAllClose(alone.select(0, 0), { atol: 2e-5 });
      });
    });
  });

  it('decodes step by step exactly as the teacher-forced pass computes (log-probabilities and attention)', () => {
    const model = build(config);
    const batch = toyBatch();
    noGrad(() => {
      const forced = model.forwardBatch(batch);
      const expected = forced.logits.logSoftmax(-1); // [B, T, V]
      const state = model.startDecoding(batch);
      const tgtLengths = Array.from(batch.tgtLengths.dataSync());
      for (let t = 0; t < batch.decoderInput.shape[1]; t++) {
        const out = state.step(column(batch.decoderInput, t)); // [B, V]
        tgtLengths.forEach((n, b) => {
          if (t >= n) return; // target padding: the teacher-forced pass masks it, the decoder never sees it
          expect(out.logProbs.select(0, b)).toBeAllClose(expected.select(0, b).select(0, t), { atol: 2e-5 });
          if (forced.attention) {
            expect(out.attention?.select(0, b)).toBeAllClose(forced.attention.select(0, b).select(0, t), {
              atol: 2e-6,
            });
          } else expect(out.attention).toBeNull();
        });
      }
    });
  });

  it('select() keeps, reorders and duplicates rows of the decoding state', () => {
    const model = build(config);
    const batch = toyBatch();
    noGrad(() => {
      const reference = model.startDecoding(batch);
      const selected = model.startDecoding(batch);
      const first = column(batch.decoderInput, 0);
      const step0 = reference.step(first).logProbs; // [3, V]
      selected.step(first);
      const rows = [2, 0, 0];
      selected.select(rows);
      reference.select([0, 1, 2]);
      const next = column(batch.decoderInput, 1); // [3]
      const picked = tensor(
        rows.map((r) => next.dataSync()[r]),
        { dtype: 'int32' },
      );
      const fromReference = reference.step(next).logProbs; // [3, V]
      const fromSelected = selected.step(picked).logProbs; // [3, V]
      rows.forEach((r, i) => {
        expect(fromSelected.select(0, i)).toBeAllClose(fromReference.select(0, r), { atol: 2e-5 });
      });
      expect(step0.shape).toEqual([3, model.config.tgtVocabSize]);
    });
  });
});

describe('state-dict names', () => {
  it("are nn-rnn Seq2Seq's for the recurrent models", () => {
    manualSeed(0);
    const names = (config: ModelConfig) => Object.keys(buildModel(config).stateDict());
    expect(names(smallConfigs.lstm)).toEqual([
      'encoder.embedding.weight',
      'encoder.rnn.weight_ih_l0',
      'encoder.rnn.weight_hh_l0',
      'encoder.rnn.bias_ih_l0',
      'encoder.rnn.bias_hh_l0',
      'decoder.embedding.weight',
      'decoder.rnn.weight_ih_l0',
      'decoder.rnn.weight_hh_l0',
      'decoder.rnn.bias_ih_l0',
      'decoder.rnn.bias_hh_l0',
      'decoder.projection.weight',
      'decoder.projection.bias',
    ]);
    const bidirectional = names(smallConfigs['lstm-bidirectional']);
    expect(bidirectional).toContain('encoder.rnn.weight_ih_l1_reverse');
    expect(bidirectional).toContain('bridge.hidden.weight');
    expect(bidirectional).toContain('bridge.cell.bias');
    const attention = names(smallConfigs.bahdanau).filter((n) => n.includes('attention'));
    expect(attention).toEqual([
      'decoder.attention.query_proj.weight',
      'decoder.attention.key_proj.weight',
      'decoder.attention.v.weight',
    ]);
    expect(names(smallConfigs['luong-general']).filter((n) => n.includes('attention'))).toEqual([
      'decoder.attention.key_proj.weight',
    ]);
    expect(names(smallConfigs['luong-dot']).filter((n) => n.includes('attention'))).toEqual([]);
  });

  it("are a PyTorch Transformer model's, with the tied generator listed under both names", () => {
    manualSeed(0);
    const model = buildModel(smallConfigs.transformer) as TransformerTranslator;
    const dict = model.stateDict();
    const names = Object.keys(dict);
    expect(names.slice(0, 2)).toEqual(['src_embed.weight', 'tgt_embed.weight']);
    expect(names).toContain('transformer.encoder.layers.1.self_attn.in_proj_weight');
    expect(names).toContain('transformer.encoder.norm.weight');
    expect(names).toContain('transformer.decoder.layers.0.multihead_attn.out_proj.bias');
    expect(names).toContain('transformer.decoder.layers.1.linear2.weight');
    expect(names).toContain('transformer.decoder.norm.bias');
    expect(names.slice(-2)).toEqual(['generator.weight', 'generator.bias']);
    expect(names.some((n) => n.includes('pos'))).toBe(false); // sinusoidal positions have no state
    expect(model.generator.weight).toBe(model.tgtEmbed.weight);
    expect(dict['generator.weight'].shape).toEqual([vocabSize + 2, 16]);
    // Tied: the parameter list holds the matrix once.
    expect(model.parameters().filter((p) => p === model.tgtEmbed.weight)).toHaveLength(1);
    expect(model.numParameters()).toBe(
      Object.entries(dict)
        .filter(([name]) => name !== 'generator.weight')
        .reduce((n, [, t]) => n + t.size, 0),
    );
  });

  it('share one source/target embedding, learned positions and an untied generator when asked', () => {
    manualSeed(0);
    const model = buildModel(smallConfigs['transformer-learned-prenorm']) as TransformerTranslator;
    const names = Object.keys(model.stateDict());
    expect(model.tgtEmbed).toBe(model.srcEmbed);
    expect(names).toContain('src_embed.weight');
    expect(names).not.toContain('tgt_embed.weight');
    expect(names).toContain('src_pos.weight');
    expect(names).toContain('tgt_pos.weight');
    expect(model.generator.weight).not.toBe(model.tgtEmbed.weight);
    expect(model.stateDict()['src_pos.weight'].shape).toEqual([20, 16]);
  });

  it('start the embeddings at N(0, 1/D) with zero <pad> rows', () => {
    manualSeed(3);
    const model = new TransformerTranslator({
      kind: 'transformer',
      srcVocabSize: 400,
      tgtVocabSize: 400,
      dModel: 64,
    });
    const weight = model.srcEmbed.weight; // [400, 64]
    expect(weight.select(0, 0).abs().max().item()).toBe(0);
    const std = Math.sqrt(weight.narrow(0, 1, 399).square().mean().item());
    expect(std).toBeGreaterThan(0.9 / 8);
    expect(std).toBeLessThan(1.1 / 8);
  });
});

describe('teacherForcingRatio', () => {
  it('feeds a recurrent model its own argmax in training mode (ratio 0), and the truth in eval mode', () => {
    manualSeed(4);
    const model = buildModel({ ...smallConfigs.bahdanau, teacherForcingRatio: 0 } as ModelConfig);
    const batch = toyBatch();
    model.train();
    const free = noGrad(() => model.forwardBatch(batch).logits); // [B, T, V]
    // The same logits come from teacher forcing on [<sos>, the model's own predictions].
    const [B, T] = batch.decoderInput.shape;
    const predicted = free.argmax(-1).dataSync(); // [B, T]
    const fed = Int32Array.from({ length: B * T }, (_, i) => (i % T === 0 ? 1 : predicted[i - 1]));
    const own = { ...batch, decoderInput: tensor(fed, { shape: [B, T], dtype: 'int32' }) };
    model.eval();
    expect(noGrad(() => model.forwardBatch(own).logits)).toBeAllClose(free, { atol: 1e-5 });
    const forced = noGrad(() => model.forwardBatch(batch).logits);
    expect(forced.sub(free).abs().max().item()).toBeGreaterThan(1e-3);
  });

  it('leaves the convenience builders working: attentionTranslator and lstmTranslator', () => {
    manualSeed(5);
    const attention = attentionTranslator({
      srcVocabSize: 12,
      tgtVocabSize: 13,
      embeddingDim: 8,
      hiddenSize: 8,
    });
    expect(attention.kind).toBe('attention');
    expect(attention.config.attention).toBe('bahdanau');
    const lstm = lstmTranslator({ srcVocabSize: 12, tgtVocabSize: 13 });
    expect(lstm.kind).toBe('lstm');
    expect(lstm.config.reverseSource).toBe(true);
  });
});
