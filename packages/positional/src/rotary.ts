/**
 * @file Rotary position embeddings (RoPE) of Su et al. (2021), "RoFormer: Enhanced Transformer with Rotary
 * Position Embedding". Features are grouped in pairs and pair i of the vector at position t is rotated by the
 * angle t·θᵢ, θᵢ = base^(−2i/R) (R the rotary width). Rotating queries and keys makes their dot product depend
 * on positions only through m − n: ⟨rot(q, m), rot(k, n)⟩ = ⟨q, rot(k, n − m)⟩.
 *
 * Two conventions pair the features differently; weights trained with one only work with the same one:
 * - half (default; GPT-NeoX, Hugging Face LLaMA/Mistral, `rotate_half`): pair i is (x[i], x[i + R/2]).
 * - interleaved (RoFormer, GPT-J, Meta's LLaMA reference code with complex numbers): pair i is (x[2i], x[2i+1]).
 * Both use the same angles; each pair (a, b) becomes (a·cos − b·sin, a·sin + b·cos).
 */
import { cat, type FloatDType, ShapeError, stack, type Tensor, tensor } from '@tensorloom/tensor';
import { ConfigError, checkBase, checkInteger, floatDType, formatShape } from './errors.js';

export interface RotaryOptions {
  /** Pair features as (x[2i], x[2i+1]) (RoFormer, GPT-J) instead of (x[i], x[i + R/2]) (GPT-NeoX; default false). */
  interleaved?: boolean;
}

/**
 * Rotates the first R = 2·cos.shape[-1] features of x by the angles whose cosines and sines are given, and
 * passes the rest through (partial rotary, GPT-NeoX's rotary_pct). x is [..., T, Dh]; cos and sin are
 * [T, R/2] (or broadcastable to x's leading dims): cos[t, i] = cos(angle of pair i at step t). Differentiable
 * in x (and in cos and sin).
 * @example
 * const [cos, sin] = rope.cosSin(T, { offset }); // [T, R/2] each
 * const qRot = applyRotary(q, cos, sin); // [B, H, T, Dh]
 */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor, options: RotaryOptions = {}): Tensor {
  const op = 'applyRotary';
  const { interleaved = false } = options;
  if (cos.ndim < 1 || cos.shape.length !== sin.shape.length || cos.shape.some((d, i) => d !== sin.shape[i])) {
    throw new ShapeError(
      `${op}: cos and sin must have the same shape [T, R/2] (got ${formatShape(cos.shape)} and ${formatShape(sin.shape)})`,
    );
  }
  if (x.ndim < 2) throw new ShapeError(`${op}: x must be [..., T, Dh] (got ${formatShape(x.shape)})`);
  const width = x.shape[x.ndim - 1]; // Dh
  const half = cos.shape[cos.ndim - 1]; // R/2
  const rotary = 2 * half; // R
  if (half === 0 || rotary > width) {
    throw new ShapeError(
      `${op}: cos and sin [..., T, R/2] rotate R = ${rotary} features, which must be in [2, Dh] (Dh ${width}; x ${formatShape(x.shape)}, cos ${formatShape(cos.shape)})`,
    );
  }
  if (cos.ndim >= 2 && cos.shape[cos.ndim - 2] !== x.shape[x.ndim - 2]) {
    throw new ShapeError(
      `${op}: cos and sin must have one row per step of x (expected ${x.shape[x.ndim - 2]}, got ${cos.shape[cos.ndim - 2]}; x ${formatShape(x.shape)}, cos ${formatShape(cos.shape)})`,
    );
  }
  const part = rotary === width ? x : x.narrow(-1, 0, rotary); // [..., T, R]
  let rotated: Tensor;
  if (interleaved) {
    const pairs = part.reshape([...part.shape.slice(0, -1), half, 2]); // [..., T, R/2, 2]
    const a = pairs.select(-1, 0); // [..., T, R/2]: x[2i]
    const b = pairs.select(-1, 1); // [..., T, R/2]: x[2i+1]
    const turned = [a.mul(cos).sub(b.mul(sin)), a.mul(sin).add(b.mul(cos))]; // 2 × [..., T, R/2]
    rotated = stack(turned, -1).reshape(part.shape); // [..., T, R]: back to (x[2i], x[2i+1]) order
  } else {
    const a = part.narrow(-1, 0, half); // [..., T, R/2]: x[i]
    const b = part.narrow(-1, half, half); // [..., T, R/2]: x[i + R/2]
    rotated = cat([a.mul(cos).sub(b.mul(sin)), a.mul(sin).add(b.mul(cos))], -1); // [..., T, R]
  }
  return rotary === width ? rotated : cat([rotated, x.narrow(-1, rotary, width - rotary)], -1); // [..., T, Dh]
}

export interface RotaryEmbeddingOptions extends RotaryOptions {
  /** Rotary width R: the number of features rotated (even). Heads wider than R pass the rest through. */
  dim: number;
  /** Wavelength base (default 10000; LLaMA 3 uses 500000). */
  base?: number;
}

export interface RotaryCallOptions {
  /** Position of the first step (default 0): step t is rotated by position offset + t, for incremental decoding. */
  offset?: number;
}

/**
 * A function that transforms the per-head queries and keys [B, H, T, Dh] of an attention module before their
 * dot products; `offset` is the position of their first step. Made from a RotaryEmbedding by `rotaryHook`.
 */
export type QueryKeyHook = (q: Tensor, k: Tensor, options?: RotaryCallOptions) => [Tensor, Tensor];

/**
 * RoPE: rotates the queries and keys of attention by their positions (Su et al. 2021). No parameters: the
 * cos/sin tables are computed in float64, cached per dtype and extended on demand, so there is no maximum length.
 * @example
 * const rope = new RotaryEmbedding({ dim: 64 });
 * const [qRot, kRot] = rope.apply(q, k); // q, k [B, H, T, 64]
 * const [qNext, kNext] = rope.apply(qStep, kStep, { offset: t }); // [B, H, 1, 64]: position t
 */
export class RotaryEmbedding {
  readonly dim: number;
  readonly base: number;
  readonly interleaved: boolean;
  /** θᵢ = base^(−2i/dim), i < dim/2: the angle per position of pair i. */
  readonly invFreq: Float64Array;
  /** Cached [cos, sin] tables [L, dim/2] by dtype; rebuilt longer on demand. */
  private readonly tables = new Map<FloatDType, [Tensor, Tensor]>();

  constructor(options: RotaryEmbeddingOptions) {
    const op = 'rotaryEmbedding';
    const { dim, base = 10000, interleaved = false } = options;
    checkInteger(op, 'dim', dim, 2);
    if (dim % 2 !== 0)
      throw new ConfigError(`${op}: dim must be even: features rotate in pairs (got ${dim})`);
    checkBase(op, base);
    this.dim = dim;
    this.base = base;
    this.interleaved = interleaved;
    this.invFreq = Float64Array.from({ length: dim / 2 }, (_, i) => base ** (-(2 * i) / dim));
  }

  /** [cos, sin] of the angles (offset + t)·θᵢ, each [length, dim/2]; views of the cache: do not modify in place. */
  cosSin(length: number, options: RotaryCallOptions & { dtype?: FloatDType } = {}): [Tensor, Tensor] {
    const { offset = 0, dtype = 'float32' } = options;
    checkInteger('rotaryEmbedding', 'offset', offset, 0);
    checkInteger('rotaryEmbedding', 'length', length, 0);
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`rotaryEmbedding: dtype must be 'float32' or 'float64' (got '${dtype}')`);
    }
    const end = offset + length;
    let cached = this.tables.get(dtype);
    if (!cached || cached[0].shape[0] < end) {
      cached = this.table(cached ? 2 * end : Math.max(end, 64), dtype);
      this.tables.set(dtype, cached);
    }
    return [cached[0].narrow(0, offset, length), cached[1].narrow(0, offset, length)]; // [T, dim/2] each
  }

  /** Rotates x [..., T, Dh] (Dh ≥ dim): step t by position offset + t. */
  rotate(x: Tensor, options: RotaryCallOptions = {}): Tensor {
    const op = 'rotaryEmbedding';
    const dtype = floatDType(op, 'input', x);
    if (x.ndim < 2 || x.shape[x.ndim - 1] < this.dim) {
      throw new ShapeError(
        `${op}: input must be [..., T, Dh] with Dh ≥ dim (dim ${this.dim}, got ${formatShape(x.shape)})`,
      );
    }
    const [cos, sin] = this.cosSin(x.shape[x.ndim - 2], { offset: options.offset, dtype }); // [T, dim/2]
    return applyRotary(x, cos, sin, { interleaved: this.interleaved }); // [..., T, Dh]
  }

  /** Rotates queries and keys [B, H, T, Dh] (or [..., T, Dh]); both start at position `offset`. */
  apply(q: Tensor, k: Tensor, options: RotaryCallOptions = {}): [Tensor, Tensor] {
    return [this.rotate(q, options), this.rotate(k, options)]; // [B, H, Tq, Dh], [B, H, Tk, Dh]
  }

  toString(): string {
    return `RotaryEmbedding(dim=${this.dim}, base=${this.base}${this.interleaved ? ', interleaved=true' : ''})`;
  }

  private table(rows: number, dtype: FloatDType): [Tensor, Tensor] {
    const half = this.dim / 2;
    const cos = new Float64Array(rows * half);
    const sin = new Float64Array(rows * half);
    for (let t = 0; t < rows; t++) {
      for (let i = 0; i < half; i++) {
        const angle = t * this.invFreq[i];
        cos[t * half + i] = Math.cos(angle);
        sin[t * half + i] = Math.sin(angle);
      }
    }
    return [tensor(cos, { shape: [rows, half], dtype }), tensor(sin, { shape: [rows, half], dtype })]; // [L, dim/2]
  }
}

/**
 * The hook an attention module calls on its per-head queries and keys: (q, k, { offset }) => [q, k], rotated.
 * Give it to a multi-head attention module that takes such a hook, so it rotates after splitting heads.
 * @example
 * const hook = rotaryHook(new RotaryEmbedding({ dim: 64 }));
 * const [qRot, kRot] = hook(q, k, { offset: 0 }); // q, k [B, H, T, 64]
 */
export function rotaryHook(rope: RotaryEmbedding): QueryKeyHook {
  return (q, k, options = {}) => rope.apply(q, k, options);
}
