/**
 * @file AdditiveAttention and LuongAttention: hand-computed values, the hook's mask convention, T steps at
 * once, the cached key projection, and (structurally) nn-rnn's DecoderAttention hook inside Seq2Seq.
 */
import { AdditiveAttention, LuongAttention, type LuongScore, paddingMask } from '@tensorloom/nn-attention';
import { type DecoderAttention, Seq2Seq } from '@tensorloom/nn-rnn';
import { manualSeed, noGrad, randint, randn, stack, type Tensor, tensor } from '@tensorloom/tensor';
import { describe, expect, it, vi } from 'vitest';

// The hook's mask: true at real tokens (sequence 1 has 2 of 4).
const real = paddingMask([4, 2]).logicalNot(); // [B, S]

describe('AdditiveAttention', () => {
  it('computes vᵀ tanh(W_s s + W_h h_j), the softmax and Σ α_j h_j by hand', () => {
    const attention = new AdditiveAttention({ querySize: 1, keySize: 1, hiddenSize: 1 });
    attention.loadStateDict({
      'query_proj.weight': tensor([[1]], { dtype: 'float32' }),
      'key_proj.weight': tensor([[2]], { dtype: 'float32' }),
      'v.weight': tensor([[1]], { dtype: 'float32' }),
    });
    const [context, weights] = attention.forward(tensor([[0.5]]), tensor([[[1], [-1]]]));
    const [e0, e1] = [Math.exp(Math.tanh(2.5)), Math.exp(Math.tanh(-1.5))];
    const w = [e0 / (e0 + e1), e1 / (e0 + e1)];
    expect(weights).toBeAllClose([w], { rtol: 1e-6 });
    expect(context).toBeAllClose([[w[0] - w[1]]], { rtol: 1e-6 });
  });

  it('mask is true at real tokens: weights are 0 elsewhere and sum to 1; a sequence without any gets zeros', () => {
    manualSeed(1);
    const attention = new AdditiveAttention({ querySize: 3, keySize: 5, hiddenSize: 4 });
    const keys = randn([2, 4, 5]);
    const [context, weights] = attention.forward(randn([2, 3]), keys, real);
    expect(context.shape).toEqual([2, 5]);
    const w = weights.toArray() as number[][];
    expect(w[1].slice(2)).toEqual([0, 0]);
    expect(w[0].reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(context).toBeAllClose(weights.unsqueeze(1).matmul(keys).squeeze(1));
    const none = tensor([
      [true, true, true, true],
      [false, false, false, false],
    ]);
    const [c2, w2] = attention.forward(randn([2, 3]), keys, none);
    expect((w2.toArray() as number[][])[1]).toEqual([0, 0, 0, 0]);
    expect((c2.toArray() as number[][])[1]).toEqual([0, 0, 0, 0, 0]);
  });

  it('a query [B, T, Q] attends for T steps at once, as T single steps do', () => {
    manualSeed(2);
    const attention = new AdditiveAttention({ querySize: 3, keySize: 5, hiddenSize: 4, bias: true });
    const [query, keys] = [randn([2, 6, 3]), randn([2, 4, 5])];
    const [context, weights] = attention.forward(query, keys, real); // [B, T, K], [B, T, S]
    const steps = Array.from({ length: 6 }, (_, t) => attention.forward(query.select(1, t), keys, real));
    expect(context).toBeAllClose(
      stack(
        steps.map(([c]) => c),
        1,
      ),
      { rtol: 1e-5, atol: 1e-6 },
    );
    expect(weights).toBeAllClose(
      stack(
        steps.map(([, w]) => w),
        1,
      ),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });
});

describe('the cached key projection', () => {
  function setup() {
    manualSeed(3);
    const attention = new AdditiveAttention({ querySize: 3, keySize: 5, hiddenSize: 4 });
    const spy = vi.spyOn(attention.keyProj, 'forward');
    return { attention, spy, keys: randn([2, 4, 5]), query: randn([2, 3]) };
  }

  it('projects a keys tensor once however many steps attend to it; a new keys tensor is projected again', () => {
    const { attention, spy, keys, query } = setup();
    const first = noGrad(() => attention.forward(query, keys, real));
    for (let t = 0; t < 4; t++) noGrad(() => attention.forward(randn([2, 3]), keys, real));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(noGrad(() => attention.forward(query, keys, real))[0]).toBeAllClose(first[0]);
    noGrad(() => attention.forward(query, keys.clone(), real));
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('is never stale: new weights, keys written in place, another grad mode, a released graph', () => {
    const { attention, spy, keys, query } = setup();
    noGrad(() => attention.forward(query, keys, real));
    noGrad(() => attention.keyProj.weight.copy_(attention.keyProj.weight.mul(2))); // as an optimizer step would
    const [afterUpdate] = noGrad(() => attention.forward(query, keys, real));
    expect(spy).toHaveBeenCalledTimes(2);
    attention.clearCache();
    expect(noGrad(() => attention.forward(query, keys, real))[0]).toBeAllClose(afterUpdate);
    expect(spy).toHaveBeenCalledTimes(3);

    noGrad(() => keys.copy_(keys.mul(-1)));
    noGrad(() => attention.forward(query, keys, real));
    expect(spy).toHaveBeenCalledTimes(4);

    const [context] = attention.forward(query, keys, real); // grad mode: projected again, with a graph
    expect(spy).toHaveBeenCalledTimes(5);
    attention.forward(query, keys, real);
    expect(spy).toHaveBeenCalledTimes(5); // same graph, reused
    context.sum().backward();
    const grad = attention.keyProj.weight.grad?.clone();
    attention.zeroGrad();
    attention.forward(query, keys, real)[0].sum().backward(); // the old graph is released: projected anew
    expect(spy).toHaveBeenCalledTimes(6);
    expect(attention.keyProj.weight.grad).toBeAllClose(grad);
  });

  it('precomputeKeys can be passed explicitly', () => {
    const { attention, keys, query } = setup();
    const projected = attention.precomputeKeys(keys); // [B, S, A]
    expect(projected.shape).toEqual([2, 4, 4]);
    expect(attention.forward(query, keys, real, projected)[1]).toBeAllClose(
      attention.forward(query, keys, real)[1],
    );
  });
});

describe('LuongAttention', () => {
  it("'dot' scores keys · query; 'general' sᵀ W_a h_j with W_a = key_proj.weight [Q, K]", () => {
    manualSeed(4);
    const [query, keys] = [randn([2, 4]), randn([2, 3, 4])];
    const [, dot] = new LuongAttention({ score: 'dot', querySize: 4, keySize: 4 }).forward(query, keys);
    expect(dot).toBeAllClose(keys.matmul(query.unsqueeze(-1)).squeeze(-1).softmax(-1), { rtol: 1e-6 });
    const general = new LuongAttention({ score: 'general', querySize: 2, keySize: 4 });
    expect(general.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['key_proj.weight', [2, 4]]]);
    const q2 = randn([2, 2]);
    const wa = general.keyProj?.weight as Tensor; // [Q, K]
    const expected = q2.unsqueeze(1).matmul(wa).matmul(keys.transpose(1, 2)).squeeze(1).softmax(-1);
    expect(general.forward(q2, keys)[1]).toBeAllClose(expected, { rtol: 1e-5 });
  });

  it("'concat' has query_proj, key_proj and v; its default hidden width is querySize", () => {
    const concat = new LuongAttention({ score: 'concat', querySize: 3, keySize: 5 });
    expect(concat.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['query_proj.weight', [3, 3]],
      ['key_proj.weight', [3, 5]],
      ['v.weight', [1, 3]],
    ]);
  });
});

describe("nn-rnn's DecoderAttention hook (structural: nn-attention does not depend on nn-rnn)", () => {
  const hooks: [string, () => DecoderAttention, 'input' | 'output'][] = [
    [
      'AdditiveAttention',
      () => new AdditiveAttention({ querySize: 16, keySize: 24, hiddenSize: 8 }),
      'input',
    ],
    ...(['dot', 'general', 'concat'] as LuongScore[]).map(
      (score) =>
        [
          `LuongAttention '${score}'`,
          () => new LuongAttention({ score, querySize: score === 'dot' ? 24 : 16, keySize: 24 }),
          'output',
        ] as [string, () => DecoderAttention, 'input' | 'output'],
    ),
  ];
  for (const [name, make, placement] of hooks) {
    it(`${name} plugs into Seq2Seq ('${placement}' placement): trains, saves and decodes`, () => {
      manualSeed(5);
      const attention = make(); // typed as the hook: the assignment is the structural check
      const hidden = name.includes("'dot'") ? 24 : 16;
      const model = new Seq2Seq({
        encoder: { vocabSize: 9, embeddingDim: 8, hiddenSize: 12, bidirectional: true, cell: 'gru' },
        decoder: {
          vocabSize: 9,
          embeddingDim: 8,
          hiddenSize: hidden,
          cell: 'gru',
          attention,
          attentionPlacement: placement,
        },
      });
      const ownKeys = Object.keys((attention as unknown as AdditiveAttention).stateDict());
      const keys = Object.keys(model.stateDict()).filter((k) => k.startsWith('decoder.attention.'));
      expect(keys).toEqual(ownKeys.map((k) => `decoder.attention.${k}`));
      const src = randint(3, 9, [3, 5]);
      const tgtIn = randint(3, 9, [3, 4]);
      const { logits, attention: weights } = model.forward(src, [5, 3, 4], tgtIn);
      expect(logits.shape).toEqual([3, 4, 9]);
      expect(weights?.shape).toEqual([3, 4, 5]);
      expect(((weights as Tensor).toArray() as number[][][])[1].map((row) => row.slice(3))).toEqual(
        Array.from({ length: 4 }, () => [0, 0]),
      );
      logits.sum().backward();
      const attentionParams = model.namedParameters().filter(([n]) => n.startsWith('decoder.attention.'));
      for (const [, p] of attentionParams) expect(p.grad).not.toBeNull();
      const decoded = model.eval().greedyDecode(src, [5, 3, 4], { sosIndex: 1, eosIndex: 2, maxLength: 6 });
      expect(decoded.attention?.length).toBe(3);
    });
  }
});
