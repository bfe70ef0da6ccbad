/** @file Additive attention (Bahdanau, Cho & Bengio, 2015, "Neural Machine Translation by Jointly Learning to Align and Translate"). */
import { Linear, Module } from '@tensorloom/nn';
import type { FloatDType, Tensor } from '@tensorloom/tensor';
import { checkFloatDType, checkInteger, checkShape } from './checks.js';
import { attendOver, checkMemoryInputs, ProjectionCache } from './memory-attention.js';

export interface AdditiveAttentionConfig {
  /** Q: the width of the query (the decoder state s). */
  querySize: number;
  /** K: the width of the keys (the encoder outputs h_j); also the context's width. */
  keySize: number;
  /** A: the width of the hidden layer inside the score. */
  hiddenSize: number;
  /** A learned bias inside the tanh, vᵀ tanh(W_s s + W_h h_j + b) (default false, as in the paper). */
  bias?: boolean;
  /** Parameter dtype (default 'float32'). */
  dtype?: FloatDType;
}

/**
 * score(s, h_j) = vᵀ tanh(W_s s + W_h h_j), α = softmax over the real source positions, context = Σ_j α_j h_j.
 * Parameters: `query_proj.weight` W_s [A, Q], `key_proj.weight` W_h [A, K] (and `key_proj.bias` [A] with
 * `bias`), `v.weight` [1, A], each initialised as a PyTorch Linear.
 *
 * It has the shape of nn-rnn's `DecoderAttention` hook: `forward(query [B, Q], keys [B, S, K], mask [B, S] |
 * null) → [context [B, K], weights [B, S]]`, with **mask true at real tokens** (the hook's convention, the
 * opposite of MultiheadAttention's padding masks). A query [B, T, Q] attends for T steps at once ([B, T, K],
 * [B, T, S]). W_h h_j does not depend on the query: it is computed once per keys tensor and reused while the
 * same keys come back (see ProjectionCache), or pass `precomputeKeys(keys)` yourself.
 * @example
 * const attention = new AdditiveAttention({ querySize: 64, keySize: 128, hiddenSize: 64 });
 * const decoder = new Seq2SeqDecoder({ vocabSize, hiddenSize: 64, attention }); // nn-rnn
 * const [context, weights] = attention.forward(s, encoderOutputs, mask); // [B, 128], [B, S]
 */
export class AdditiveAttention extends Module {
  readonly querySize: number;
  readonly keySize: number;
  readonly hiddenSize: number;
  /** C = K: the width of the context (the hook's contextSize). */
  readonly contextSize: number;
  readonly queryProj: Linear;
  readonly keyProj: Linear;
  readonly v: Linear;
  private readonly cache: ProjectionCache;

  constructor(config: AdditiveAttentionConfig) {
    super();
    const op = 'additiveAttention';
    const { querySize, keySize, hiddenSize, bias = false, dtype = 'float32' } = config;
    checkInteger(op, 'querySize', querySize, 1);
    checkInteger(op, 'keySize', keySize, 1);
    checkInteger(op, 'hiddenSize', hiddenSize, 1);
    checkFloatDType(op, dtype);
    this.querySize = querySize;
    this.keySize = keySize;
    this.hiddenSize = hiddenSize;
    this.contextSize = keySize;
    this.queryProj = this.module('query_proj', new Linear(querySize, hiddenSize, { bias: false, dtype }));
    this.keyProj = this.module('key_proj', new Linear(keySize, hiddenSize, { bias, dtype }));
    this.v = this.module('v', new Linear(hiddenSize, 1, { bias: false, dtype }));
    this.cache = new ProjectionCache(() => this.keyProj.parameters());
  }

  /** W_h h_j (+ b): keys [B, S, K] → [B, S, A], the query-independent half of the score. */
  precomputeKeys(keys: Tensor): Tensor {
    return this.keyProj.forward(keys); // [B, S, A]
  }

  /**
   * query [B, Q] or [B, T, Q], keys [B, S, K], mask [B, S] (true = real token) or null → [context [B, K],
   * weights [B, S]] (or [B, T, K], [B, T, S]). `projectedKeys` [B, S, A] skips the keys' projection.
   */
  forward(
    query: Tensor,
    keys: Tensor,
    mask: Tensor | null = null,
    projectedKeys: Tensor | null = null,
  ): [Tensor, Tensor] {
    const op = 'additiveAttention';
    const q3 = checkMemoryInputs(op, this, query, keys, mask); // [B, T, Q]
    const [batch, steps] = keys.shape;
    if (projectedKeys) checkShape(op, 'projectedKeys', projectedKeys, [batch, steps, this.hiddenSize]);
    const hk = projectedKeys ?? this.cache.get(keys, (k) => this.precomputeKeys(k)); // [B, S, A]
    const sq = this.queryProj.forward(q3).unsqueeze(2); // [B, T, 1, A]
    const energy = sq.add(hk.unsqueeze(1)).tanh(); // [B, T, S, A]
    const scores = this.v.forward(energy).squeeze(-1); // [B, T, S]
    return attendOver(scores, keys, mask, query.ndim === 2); // [B, (T,) K], [B, (T,) S]
  }

  /** Forgets the cached key projection (it also refreshes itself whenever it could be stale). */
  clearCache(): void {
    this.cache.clear();
  }

  protected override extraRepr(): string {
    return `querySize=${this.querySize}, keySize=${this.keySize}, hiddenSize=${this.hiddenSize}`;
  }
}
