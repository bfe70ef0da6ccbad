/** @file Multiplicative attention (Luong, Pham & Manning, 2015, "Effective Approaches to Attention-based NMT"). */
import { Linear, Module } from '@tensorloom/nn';
import { type FloatDType, type Tensor, TensorloomError } from '@tensorloom/tensor';
import { checkFloatDType, checkInteger, checkShape } from './checks.js';
import { attendOver, checkMemoryInputs, ProjectionCache } from './memory-attention.js';

/** Luong's score functions: 'dot' sᵀh_j, 'general' sᵀW_a h_j, 'concat' vᵀ tanh(W_a [s; h_j]). */
export type LuongScore = 'dot' | 'general' | 'concat';

export interface LuongAttentionConfig {
  score: LuongScore;
  /** Q: the width of the query (the decoder output s). */
  querySize: number;
  /** K: the width of the keys (the encoder outputs h_j); also the context's width. 'dot' needs K = Q. */
  keySize: number;
  /** A: the hidden width of the 'concat' score (default querySize); unused by the others. */
  hiddenSize?: number;
  /** Parameter dtype (default 'float32'). */
  dtype?: FloatDType;
}

/**
 * score(s, h_j) by `score`, α = softmax over the real source positions, context = Σ_j α_j h_j. Parameters:
 * 'dot' none; 'general' `key_proj.weight` = W_a [Q, K]; 'concat' `query_proj.weight` [A, Q], `key_proj.weight`
 * [A, K] (W_a = [W_q W_k] split by columns, so W_a [s; h] = W_q s + W_k h) and `v.weight` [1, A]; no biases,
 * Linear init.
 *
 * Same interface as AdditiveAttention (nn-rnn's `DecoderAttention` hook, **mask true at real tokens**); W_a h_j
 * is cached per keys tensor likewise. Luong et al. attend with the decoder's new output, i.e. nn-rnn's
 * `attentionPlacement: 'output'`.
 * @example
 * const attention = new LuongAttention({ score: 'general', querySize: 64, keySize: 128 });
 * const [context, weights] = attention.forward(o, encoderOutputs, mask); // [B, 128], [B, S]
 */
export class LuongAttention extends Module {
  readonly score: LuongScore;
  readonly querySize: number;
  readonly keySize: number;
  readonly hiddenSize: number;
  /** C = K: the width of the context (the hook's contextSize). */
  readonly contextSize: number;
  readonly queryProj: Linear | null;
  readonly keyProj: Linear | null;
  readonly v: Linear | null;
  private readonly cache: ProjectionCache;

  constructor(config: LuongAttentionConfig) {
    super();
    const op = 'luongAttention';
    const { score, querySize, keySize, dtype = 'float32' } = config;
    const hiddenSize = config.hiddenSize ?? querySize;
    if (score !== 'dot' && score !== 'general' && score !== 'concat') {
      throw new TensorloomError(`${op}: score must be 'dot', 'general' or 'concat' (got '${score}')`);
    }
    checkInteger(op, 'querySize', querySize, 1);
    checkInteger(op, 'keySize', keySize, 1);
    checkInteger(op, 'hiddenSize', hiddenSize, 1);
    checkFloatDType(op, dtype);
    if (score === 'dot' && querySize !== keySize) {
      throw new TensorloomError(
        `${op}: the 'dot' score needs querySize = keySize (got ${querySize} and ${keySize}); use 'general'`,
      );
    }
    this.score = score;
    this.querySize = querySize;
    this.keySize = keySize;
    this.hiddenSize = hiddenSize;
    this.contextSize = keySize;
    const linear = (name: string, input: number, output: number) =>
      this.module(name, new Linear(input, output, { bias: false, dtype }));
    this.queryProj = score === 'concat' ? linear('query_proj', querySize, hiddenSize) : null;
    this.keyProj =
      score === 'dot' ? null : linear('key_proj', keySize, score === 'general' ? querySize : hiddenSize);
    this.v = score === 'concat' ? linear('v', hiddenSize, 1) : null;
    this.cache = new ProjectionCache(() => this.keyProj?.parameters() ?? []);
  }

  /** The query-independent part of the score: keys [B, S, K] → W_a h_j [B, S, Q] ('general'), W_k h_j [B, S, A] ('concat'), or the keys ('dot'). */
  precomputeKeys(keys: Tensor): Tensor {
    return this.keyProj ? this.keyProj.forward(keys) : keys; // [B, S, Q | A | K]
  }

  /**
   * query [B, Q] or [B, T, Q], keys [B, S, K], mask [B, S] (true = real token) or null → [context [B, K],
   * weights [B, S]] (or [B, T, K], [B, T, S]). `projectedKeys` (from precomputeKeys) skips the projection.
   */
  forward(
    query: Tensor,
    keys: Tensor,
    mask: Tensor | null = null,
    projectedKeys: Tensor | null = null,
  ): [Tensor, Tensor] {
    const op = 'luongAttention';
    const q3 = checkMemoryInputs(op, this, query, keys, mask); // [B, T, Q]
    const [batch, steps] = keys.shape;
    const width =
      this.score === 'dot' ? this.keySize : this.score === 'general' ? this.querySize : this.hiddenSize;
    if (projectedKeys) checkShape(op, 'projectedKeys', projectedKeys, [batch, steps, width]);
    const hk = projectedKeys ?? (this.keyProj ? this.cache.get(keys, (k) => this.precomputeKeys(k)) : keys); // [B, S, ·]
    let scores: Tensor; // [B, T, S]
    if (this.score === 'concat') {
      const sq = (this.queryProj as Linear).forward(q3).unsqueeze(2); // [B, T, 1, A]
      const energy = sq.add(hk.unsqueeze(1)).tanh(); // [B, T, S, A]
      scores = (this.v as Linear).forward(energy).squeeze(-1); // [B, T, S]
    } else {
      scores = q3.matmul(hk.transpose(1, 2)); // [B, T, Q] · [B, Q, S] → [B, T, S]
    }
    return attendOver(scores, keys, mask, query.ndim === 2); // [B, (T,) K], [B, (T,) S]
  }

  /** Forgets the cached key projection (it also refreshes itself whenever it could be stale). */
  clearCache(): void {
    this.cache.clear();
  }

  protected override extraRepr(): string {
    const hidden = this.score === 'concat' ? `, hiddenSize=${this.hiddenSize}` : '';
    return `score='${this.score}', querySize=${this.querySize}, keySize=${this.keySize}${hidden}`;
  }
}
