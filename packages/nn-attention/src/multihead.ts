/**
 * @file Multi-head attention (Vaswani et al., 2017) with PyTorch's nn.MultiheadAttention parameters, init,
 * shapes and mask conventions, plus the pieces incremental decoding needs: projecting a memory's keys and
 * values once, and self-attention over a growing key/value cache.
 */
import { init, Linear, linear, Module } from '@tensorloom/nn';
import {
  cat,
  type FloatDType,
  type Generator,
  ShapeError,
  type Tensor,
  TensorloomError,
  zeros,
} from '@tensorloom/tensor';
import {
  checkFloatDType,
  checkInteger,
  checkLastDim,
  checkMaskDType,
  checkProbability,
  formatShape,
} from './checks.js';
import { causalMask, mergeMasks } from './masks.js';
import { scaledDotProductAttention } from './scaled-dot-product.js';

/**
 * A hook on the per-head queries q [B, H, T, Dh] and keys k [B, H, S, Dh] after the input projections (for
 * rotary position embeddings): returns the new [q, k]. `offset` is the position of the first query and of the
 * first key passed in: 0 in `forward`; in `forwardStep` the number of cached steps, since only the new steps'
 * keys are passed (the cached ones were transformed when they were new).
 */
export type PositionalHook = (q: Tensor, k: Tensor, context: { offset: number }) => [Tensor, Tensor];

/** Per-head keys and values, each [B, H, S, Dh]: a projected memory, or a self-attention cache. */
export interface KeyValue {
  keys: Tensor;
  values: Tensor;
}

export interface MultiheadAttentionConfig {
  /** E: the model width (queries, output). */
  embedDim: number;
  /** H: heads; E must be divisible by H (Dh = E / H). */
  numHeads: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Dropout on the attention weights, training only (default 0). */
  dropout?: number;
  /** Inputs and output as [B, T, E] (default false: [T, B, E], PyTorch's default). */
  batchFirst?: boolean;
  /** Width of the keys (default E); with kdim or vdim ≠ E, q/k/v get separate projection weights. */
  kdim?: number;
  /** Width of the values (default E). */
  vdim?: number;
  /** Applied to the per-head q and k (rotary embeddings); see PositionalHook. Default null. */
  positionalHook?: PositionalHook | null;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
  /** Parameter dtype (default 'float32'; 'float64' for gradient checks). */
  dtype?: FloatDType;
}

export interface MultiheadAttentionOptions {
  /**
   * [B, S] ([S] unbatched): bool **true at padding** (ignored keys), or a float mask added to the scores.
   */
  keyPaddingMask?: Tensor | null;
  /**
   * [T, S] (all batches and heads) or [B·H, T, S] ([H, T, S] unbatched): bool **true = not allowed**, or a
   * float mask added to the scores (e.g. generateSquareSubsequentMask).
   */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads: [B, T, S] (default true); false gives [B, H, T, S]. */
  averageAttnWeights?: boolean;
  /** Adds the causal mask (query i sees keys j ≤ i), merged with attnMask if both are given. */
  isCausal?: boolean;
}

/** Options of `forwardStep`: the padding mask covers every key so far, cached and new. */
export type MultiheadAttentionStepOptions = Pick<
  MultiheadAttentionOptions,
  'keyPaddingMask' | 'needWeights' | 'averageAttnWeights'
>;

/**
 * Multi-head attention: head_i = softmax(Q W_q,i (K W_k,i)ᵀ / √Dh + mask) V W_v,i, output = [head_1 … head_H]
 * W_oᵀ + b_o. Parameters as PyTorch's: `in_proj_weight` [3E, E] (W_q; W_k; W_v stacked) or, when kdim or vdim
 * ≠ E, `q_proj_weight` [E, E], `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim]; `in_proj_bias` [3E];
 * `out_proj.weight` [E, E], `out_proj.bias` [E]. Init as PyTorch: xavier-uniform input projections, zero
 * biases, a default Linear weight for out_proj.
 *
 * Masks follow PyTorch's MultiheadAttention: a bool mask is **true where attention is not allowed**; float
 * masks are added. Unlike PyTorch (NaN), a query with every key masked gets zero weights and output b_o.
 * @example
 * const mha = new MultiheadAttention({ embedDim: 16, numHeads: 4, batchFirst: true });
 * const [out, weights] = mha.forward(x, x, x, { keyPaddingMask }); // x [B, T, 16] → [B, T, 16], [B, T, T]
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly positionalHook: PositionalHook | null;
  readonly inProjWeight: Tensor | null;
  readonly qProjWeight: Tensor | null;
  readonly kProjWeight: Tensor | null;
  readonly vProjWeight: Tensor | null;
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;
  private readonly generator: Generator | undefined;

  constructor(config: MultiheadAttentionConfig) {
    super();
    const op = 'multiheadAttention';
    const { embedDim, numHeads, bias = true, dropout = 0, batchFirst = false, dtype = 'float32' } = config;
    const { kdim = embedDim, vdim = embedDim } = config;
    checkInteger(op, 'embedDim', embedDim, 1);
    checkInteger(op, 'numHeads', numHeads, 1);
    checkInteger(op, 'kdim', kdim, 1);
    checkInteger(op, 'vdim', vdim, 1);
    checkProbability(op, 'dropout', dropout);
    checkFloatDType(op, dtype);
    if (embedDim % numHeads !== 0) {
      throw new TensorloomError(
        `${op}: embedDim must be divisible by numHeads (got embedDim ${embedDim}, numHeads ${numHeads})`,
      );
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = kdim;
    this.vdim = vdim;
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.positionalHook = config.positionalHook ?? null;
    this.generator = config.generator;

    const weight = (rows: number, cols: number) => init.xavierUniform_(zeros([rows, cols], { dtype }));
    const packed = kdim === embedDim && vdim === embedDim;
    this.inProjWeight = packed ? this.param('in_proj_weight', weight(3 * embedDim, embedDim)) : null;
    this.qProjWeight = packed ? null : this.param('q_proj_weight', weight(embedDim, embedDim));
    this.kProjWeight = packed ? null : this.param('k_proj_weight', weight(embedDim, kdim));
    this.vProjWeight = packed ? null : this.param('v_proj_weight', weight(embedDim, vdim));
    this.inProjBias = bias ? this.param('in_proj_bias', zeros([3 * embedDim], { dtype })) : null;
    // PyTorch's NonDynamicallyQuantizableLinear: a Linear's default weight init, its bias zeroed.
    this.outProj = this.module('out_proj', new Linear(embedDim, embedDim, { bias, dtype }));
    if (this.outProj.bias) init.zeros_(this.outProj.bias);
  }

  /**
   * query [T, B, E], key [S, B, kdim], value [S, B, vdim] ([B, ·, ·] with batchFirst; [T, E], [S, kdim],
   * [S, vdim] unbatched) → [output like query, weights [B, T, S] (or [B, H, T, S] without averaging; no B
   * unbatched) | null].
   */
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MultiheadAttentionOptions = {},
  ): [Tensor, Tensor | null] {
    const op = 'multiheadAttention';
    const batched = this.checkInputs(op, query, key, value);
    const [q, k, v] = [query, key, value].map((x) => this.toBatchFirst(x, batched)); // [B, T|S, ·]
    const [batch, targetLength] = q.shape;
    const sourceLength = k.shape[1];
    let [qh, kh, vh] = this.project(q, k, v, query === key && key === value, key === value); // [B, H, T|S, Dh]
    if (this.positionalHook) [qh, kh] = this.applyHook(qh, kh, 0);
    const mask = this.buildMask(op, options, batched, batch, targetLength, sourceLength); // → [B, H, T, S]
    const [output, weights] = this.attendHeads(qh, { keys: kh, values: vh }, mask, options); // [B, T, E]
    return this.finish(output, weights, batched);
  }

  /**
   * Projects key [S, B, kdim] and value [S, B, vdim] (batch-first with batchFirst) into per-head keys and values
   * [B, H, S, Dh], once, for `attend`: a decoder's cross-attention over a fixed encoder memory.
   */
  projectKeyValue(key: Tensor, value: Tensor): KeyValue {
    const op = 'multiheadAttention.projectKeyValue';
    this.checkKeyValue(op, key, value, 3);
    const [k, v] = [key, value].map((x) => this.toBatchFirst(x, true)); // [B, S, ·]
    const [keys, values] = this.projectKV(k, v, key === value); // [B, H, S, Dh]
    return { keys, values };
  }

  /**
   * Attends from query [T, B, E] ([B, T, E] with batchFirst) over per-head keys and values [B, H, S, Dh] from
   * projectKeyValue; equal to `forward(query, key, value, options)`. Not available with a positionalHook
   * (which needs the keys projected with the queries).
   */
  attend(query: Tensor, memory: KeyValue, options: MultiheadAttentionOptions = {}): [Tensor, Tensor | null] {
    const op = 'multiheadAttention.attend';
    if (this.positionalHook) {
      throw new TensorloomError(`${op}: not available with a positionalHook; use forward(query, key, value)`);
    }
    this.checkQuery(op, query, [3]);
    const q = this.toBatchFirst(query, true); // [B, T, E]
    const [batch, targetLength] = q.shape;
    this.checkCache(op, memory, batch);
    const qh = this.splitHeads(this.projectQuery(q)); // [B, H, T, Dh]
    const mask = this.buildMask(op, options, true, batch, targetLength, memory.keys.shape[2]); // → [B, H, T, S]
    const [output, weights] = this.attendHeads(qh, memory, mask, options); // [B, T, E]
    return this.finish(output, weights, true);
  }

  /**
   * Incremental self-attention: x [N, B, E] ([B, N, E] with batchFirst) holds the next N steps; their keys and
   * values are appended to `past` ([B, H, P, Dh] each, or null at the start), and step i attends to the P
   * cached steps and the new steps up to itself (the causal mask). Returns [output like x, weights [B, N, P+N]
   * or [B, H, N, P+N] | null, the cache with the new steps]. Steps 0…T−1 fed one at a time give what `forward`
   * with a causal mask gives, at O(t) cost for step t.
   */
  forwardStep(
    x: Tensor,
    past: KeyValue | null,
    options: MultiheadAttentionStepOptions = {},
  ): [Tensor, Tensor | null, KeyValue] {
    const op = 'multiheadAttention.forwardStep';
    this.checkQuery(op, x, [3]);
    const input = this.toBatchFirst(x, true); // [B, N, E]
    const [batch, steps] = input.shape;
    if (past) this.checkCache(op, past, batch);
    const offset = past ? past.keys.shape[2] : 0;
    let [qh, kh, vh] = this.project(input, input, input, true, true); // [B, H, N, Dh]
    if (this.positionalHook) [qh, kh] = this.applyHook(qh, kh, offset);
    const present = {
      keys: past ? cat([past.keys, kh], 2) : kh, // [B, H, P+N, Dh]
      values: past ? cat([past.values, vh], 2) : vh, // [B, H, P+N, Dh]
    };
    const total = offset + steps;
    const causal = steps > 1 ? causalMask(steps, total, offset) : null; // [N, P+N]
    const padding = this.paddingMask(op, options.keyPaddingMask ?? null, true, batch, total); // [B, 1, 1, P+N]
    const mask = mergeMasks(causal, padding, input.dtype); // → [B, H, N, P+N]
    const [output, weights] = this.attendHeads(qh, present, mask, options); // [B, N, E]
    const [out, w] = this.finish(output, weights, true);
    return [out, w, present];
  }

  // ---- Projections -----------------------------------------------------------------------------------------

  /** q [B, T, E], k [B, S, kdim], v [B, S, vdim] → per-head [B, H, T|S, Dh], with PyTorch's packed shortcuts. */
  private project(q: Tensor, k: Tensor, v: Tensor, selfAttention: boolean, sameKeyValue: boolean): Tensor[] {
    if (selfAttention && this.inProjWeight) {
      const all = linear(q, this.inProjWeight, this.inProjBias); // [B, T, 3E]
      return all.chunk(3, -1).map((t) => this.splitHeads(t)); // 3 × [B, H, T, Dh]
    }
    const qh = this.splitHeads(this.projectQuery(q)); // [B, H, T, Dh]
    const [kh, vh] = this.projectKV(k, v, sameKeyValue); // [B, H, S, Dh]
    return [qh, kh, vh];
  }

  private projectQuery(q: Tensor): Tensor {
    const e = this.embedDim;
    const w = this.inProjWeight ? this.inProjWeight.narrow(0, 0, e) : (this.qProjWeight as Tensor); // [E, E]
    return linear(q, w, this.biasRows(0)); // [B, T, E]
  }

  private projectKV(k: Tensor, v: Tensor, sameKeyValue: boolean): [Tensor, Tensor] {
    const e = this.embedDim;
    if (sameKeyValue && this.inProjWeight) {
      const both = linear(k, this.inProjWeight.narrow(0, e, 2 * e), this.biasRows(1, 2)); // [B, S, 2E]
      const [keys, values] = both.chunk(2, -1); // 2 × [B, S, E]
      return [this.splitHeads(keys), this.splitHeads(values)];
    }
    const wk = this.inProjWeight ? this.inProjWeight.narrow(0, e, e) : (this.kProjWeight as Tensor); // [E, kdim]
    const wv = this.inProjWeight ? this.inProjWeight.narrow(0, 2 * e, e) : (this.vProjWeight as Tensor); // [E, vdim]
    const keys = linear(k, wk, this.biasRows(1)); // [B, S, E]
    const values = linear(v, wv, this.biasRows(2)); // [B, S, E]
    return [this.splitHeads(keys), this.splitHeads(values)];
  }

  /** Blocks [first, first + count) of in_proj_bias (block 0 = q, 1 = k, 2 = v), or null without bias. */
  private biasRows(first: number, count = 1): Tensor | null {
    const e = this.embedDim;
    return this.inProjBias ? this.inProjBias.narrow(0, first * e, count * e) : null;
  }

  /** [B, T, E] → [B, H, T, Dh] (a view). */
  private splitHeads(x: Tensor): Tensor {
    const [batch, steps] = x.shape;
    return x.reshape([batch, steps, this.numHeads, this.headDim]).transpose(1, 2); // [B, H, T, Dh]
  }

  private applyHook(q: Tensor, k: Tensor, offset: number): [Tensor, Tensor] {
    const [q2, k2] = (this.positionalHook as PositionalHook)(q, k, { offset });
    const same = (a: Tensor, b: Tensor) => a.ndim === b.ndim && a.shape.every((d, i) => d === b.shape[i]);
    if (!same(q, q2) || !same(k, k2)) {
      throw new ShapeError(
        `multiheadAttention: positionalHook must keep the shapes of q ${formatShape(q.shape)} and k ${formatShape(k.shape)} (got ${formatShape(q2.shape)} and ${formatShape(k2.shape)})`,
      );
    }
    return [q2, k2];
  }

  // ---- Attention ---------------------------------------------------------------------------------------------

  /** qh [B, H, T, Dh] over keys/values [B, H, S, Dh] → [output [B, T, E], weights [B, (H,) T, S] | null]. */
  private attendHeads(
    qh: Tensor,
    kv: KeyValue,
    mask: Tensor | null,
    options: MultiheadAttentionOptions,
  ): [Tensor, Tensor | null] {
    const { needWeights = true, averageAttnWeights = true } = options;
    const [heads, weights] = scaledDotProductAttention(qh, kv.keys, kv.values, {
      attnMask: mask,
      dropoutP: this.dropout,
      training: this.training,
      generator: this.generator,
      needWeights,
    }); // [B, H, T, Dh], [B, H, T, S]
    const [batch, , steps] = qh.shape;
    const merged = heads.transpose(1, 2).reshape([batch, steps, this.embedDim]); // [B, T, E]
    const output = this.outProj.forward(merged); // [B, T, E]
    if (!weights) return [output, null];
    return [output, averageAttnWeights ? weights.mean(1) : weights]; // [B, T, S] or [B, H, T, S]
  }

  /** Back to the caller's layout; drops the batch dim of unbatched inputs. */
  private finish(output: Tensor, weights: Tensor | null, batched: boolean): [Tensor, Tensor | null] {
    if (!batched) return [output.squeeze(0), weights ? weights.squeeze(0) : null]; // [T, E], [(H,) T, S]
    return [this.batchFirst ? output : output.transpose(0, 1), weights]; // [T, B, E] or [B, T, E]
  }

  // ---- Masks and checks --------------------------------------------------------------------------------------

  /** The attention and padding masks (and the causal one), merged into one that broadcasts to [B, H, T, S]. */
  private buildMask(
    op: string,
    options: MultiheadAttentionOptions,
    batched: boolean,
    batch: number,
    targetLength: number,
    sourceLength: number,
  ): Tensor | null {
    const { attnMask = null, keyPaddingMask = null, isCausal = false } = options;
    let attention: Tensor | null = null;
    if (attnMask) {
      checkMaskDType(op, 'attnMask', attnMask, true);
      const h = this.numHeads;
      const square = [targetLength, sourceLength];
      const perHead = batched ? [batch * h, targetLength, sourceLength] : [h, targetLength, sourceLength];
      const fits = (shape: number[]) =>
        attnMask.ndim === shape.length && attnMask.shape.every((d, i) => d === shape[i]);
      if (fits(square))
        attention = attnMask; // [T, S]
      else if (fits(perHead)) attention = attnMask.reshape([batch, h, targetLength, sourceLength]);
      else {
        throw new ShapeError(
          `${op}: attnMask must be ${formatShape(square)} ([T, S]) or ${formatShape(perHead)} (${batched ? '[B·H, T, S]' : '[H, T, S]'}) (got ${formatShape(attnMask.shape)})`,
        );
      }
    }
    const causal = isCausal ? causalMask(targetLength, sourceLength) : null; // [T, S]
    const padding = this.paddingMask(op, keyPaddingMask, batched, batch, sourceLength); // [B, 1, 1, S]
    const dtype = this.outProj.weight.dtype;
    return mergeMasks(mergeMasks(attention, causal, dtype), padding, dtype);
  }

  /** keyPaddingMask [B, S] ([S] unbatched) → [B, 1, 1, S]. */
  private paddingMask(
    op: string,
    mask: Tensor | null,
    batched: boolean,
    batch: number,
    sourceLength: number,
  ): Tensor | null {
    if (!mask) return null;
    checkMaskDType(op, 'keyPaddingMask', mask, true);
    const expected = batched ? [batch, sourceLength] : [sourceLength];
    if (mask.ndim !== expected.length || mask.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(
        `${op}: keyPaddingMask must be ${formatShape(expected)} (${batched ? '[B, S]' : '[S]'}) (got ${formatShape(mask.shape)})`,
      );
    }
    return mask.reshape([batch, 1, 1, sourceLength]); // [B, 1, 1, S]
  }

  private toBatchFirst(x: Tensor, batched: boolean): Tensor {
    if (!batched) return x.unsqueeze(0); // [1, T, ·]
    return this.batchFirst ? x : x.transpose(0, 1); // [B, T, ·]
  }

  /** Checks forward's inputs; returns whether they are batched. */
  private checkInputs(op: string, query: Tensor, key: Tensor, value: Tensor): boolean {
    this.checkQuery(op, query, [2, 3]);
    this.checkKeyValue(op, key, value, query.ndim);
    const b = this.batchFirst ? 0 : 1;
    if (query.ndim === 3 && query.shape[b] !== key.shape[b]) {
      throw new ShapeError(
        `${op}: query and key must have the same batch size (query ${formatShape(query.shape)}, key ${formatShape(key.shape)}${this.batchFirst ? ', batchFirst' : ''})`,
      );
    }
    return query.ndim === 3;
  }

  private checkQuery(op: string, query: Tensor, ranks: number[]): void {
    if (!ranks.includes(query.ndim)) {
      const layout = this.batchFirst ? '[B, T, E]' : '[T, B, E]';
      throw new ShapeError(
        `${op}: query must be ${layout}${ranks.includes(2) ? ' or unbatched [T, E]' : ''} (got ${formatShape(query.shape)})`,
      );
    }
    checkLastDim(op, 'query', query, this.embedDim, 'embedDim');
  }

  private checkKeyValue(op: string, key: Tensor, value: Tensor, ndim: number): void {
    if (key.ndim !== ndim || value.ndim !== ndim) {
      throw new ShapeError(
        `${op}: key and value must have ${ndim} dims like the query (got key ${formatShape(key.shape)}, value ${formatShape(value.shape)})`,
      );
    }
    checkLastDim(op, 'key', key, this.kdim, 'kdim');
    checkLastDim(op, 'value', value, this.vdim, 'vdim');
    const leading = (t: Tensor) => t.shape.slice(0, -1);
    if (leading(key).some((d, i) => d !== leading(value)[i])) {
      throw new ShapeError(
        `${op}: key and value must have the same length and batch size (key ${formatShape(key.shape)}, value ${formatShape(value.shape)})`,
      );
    }
  }

  private checkCache(op: string, kv: KeyValue, batch: number): void {
    const expected = (t: Tensor) =>
      t.ndim === 4 && t.shape[0] === batch && t.shape[1] === this.numHeads && t.shape[3] === this.headDim;
    const same = kv.keys.shape[2] === kv.values.shape[2];
    if (!expected(kv.keys) || !expected(kv.values) || !same) {
      throw new ShapeError(
        `${op}: cached keys and values must be [B, H, S, Dh] = [${batch}, ${this.numHeads}, S, ${this.headDim}] (got keys ${formatShape(kv.keys.shape)}, values ${formatShape(kv.values.shape)})`,
      );
    }
  }

  protected override extraRepr(): string {
    const parts = [`embedDim=${this.embedDim}`, `numHeads=${this.numHeads}`];
    if (this.kdim !== this.embedDim || this.vdim !== this.embedDim)
      parts.push(`kdim=${this.kdim}`, `vdim=${this.vdim}`);
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.batchFirst) parts.push('batchFirst=true');
    return parts.join(', ');
  }
}
