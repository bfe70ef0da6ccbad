/**
 * @file The fixed sinusoidal position encoding of Vaswani et al. (2017), "Attention Is All You Need", §3.5:
 * PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(pos / base^(2i/d)), base = 10000.
 */
import { Dropout, Module } from '@tensorloom/nn';
import { type FloatDType, type Generator, type Tensor, tensor } from '@tensorloom/tensor';
import { ConfigError, checkBase, checkInteger, checkProbability, floatDType } from './errors.js';
import { addPositions, sequenceLength } from './layout.js';

export interface SinusoidalTableOptions {
  /** The wavelength base (default 10000): wavelengths run geometrically from 2π to base·2π. */
  base?: number;
  /** The first position of the table (default 0): row r is position offset + r. */
  offset?: number;
  /** Default 'float32'. Values are computed in float64 and rounded once. */
  dtype?: FloatDType;
}

/**
 * The sinusoidal table [length, d]: PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(pos / base^(2i/d)).
 * Exact for odd d too: the last column, 2i = d − 1, is a sine (PyTorch's tutorial code fails for odd d).
 * Angles are computed in float64, so float32 tables are correctly rounded even at large positions.
 * @example sinusoidalTable(2, 4).toArray(); // [[0, 1, 0, 1], [sin 1, cos 1, sin 0.01, cos 0.01]]
 */
export function sinusoidalTable(length: number, d: number, options: SinusoidalTableOptions = {}): Tensor {
  const { base = 10000, offset = 0, dtype = 'float32' } = options;
  checkInteger('sinusoidalTable', 'length', length, 0);
  checkInteger('sinusoidalTable', 'd', d, 1);
  checkInteger('sinusoidalTable', 'offset', offset, 0);
  checkBase('sinusoidalTable', base);
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ConfigError(`sinusoidalTable: dtype must be 'float32' or 'float64' (got '${dtype}')`);
  }
  const values = new Float64Array(length * d);
  for (let col = 0; col < d; col += 2) {
    const wavelength = base ** (col / d); // base^(2i/d), col = 2i
    for (let row = 0; row < length; row++) {
      const angle = (offset + row) / wavelength;
      values[row * d + col] = Math.sin(angle);
      if (col + 1 < d) values[row * d + col + 1] = Math.cos(angle);
    }
  }
  return tensor(values, { shape: [length, d], dtype }); // [T, D]
}

export interface SinusoidalPositionalEncodingOptions {
  /** Width D of the inputs. */
  dModel: number;
  /**
   * Positions the first table holds (default 512). A capacity hint, not a limit: the table is built on first
   * use and rebuilt to twice the length needed when a forward reaches past it.
   */
  maxLen?: number;
  /** Dropout on the sum, in training mode only (default 0; the paper uses 0.1). */
  dropout?: number;
  /** Multiplies x by √dModel before adding the encoding, as the paper does to the embeddings (default false). */
  scaleEmbedding?: boolean;
  /** Inputs are [B, T, D] (default true) rather than [T, B, D]; [T, D] is accepted in both layouts. */
  batchFirst?: boolean;
  /** Wavelength base (default 10000). */
  base?: number;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
}

export interface PositionOptions {
  /** Position of the first step of x (default 0): step t gets position offset + t, for incremental decoding. */
  offset?: number;
}

/**
 * Adds the fixed sinusoidal encoding: forward(x, { offset }) = dropout(x·(√D if scaleEmbedding) + PE[offset…offset+T]).
 *
 * The table is not state: no parameters and no buffers, so nothing in `stateDict()`. It is a pure function of
 * (position, dModel, base), computed on demand and cached per dtype. Saving it would put maxLen × D numbers in
 * every checkpoint and tie checkpoints to maxLen (PyTorch's tutorial registers a persistent `pe` buffer, and a
 * state dict with `pe` [5000, 1, 512] then fails to load into a model built with another max_len); and a
 * registered buffer cannot grow, which positions past maxLen need. Load such PyTorch state dicts with
 * `{ strict: false }`, which reports `pe` as unexpected and ignores it.
 * @example
 * const posEnc = new SinusoidalPositionalEncoding({ dModel: 512, dropout: 0.1, scaleEmbedding: true });
 * const h = posEnc.forward(embed.forward(tokens)); // [B, T, 512]
 * const next = posEnc.forward(embed.forward(lastToken), { offset: t }); // [B, 1, 512]: position t
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly dModel: number;
  readonly maxLen: number;
  readonly scaleEmbedding: boolean;
  readonly batchFirst: boolean;
  readonly base: number;
  readonly dropout: Dropout;
  /** Cached tables [L, D] by dtype, L ≥ maxLen; rebuilt longer on demand. */
  private readonly tables = new Map<FloatDType, Tensor>();

  constructor(options: SinusoidalPositionalEncodingOptions) {
    super();
    const op = 'sinusoidalPositionalEncoding';
    const { dModel, maxLen = 512, dropout = 0, scaleEmbedding = false, batchFirst = true } = options;
    const { base = 10000 } = options;
    checkInteger(op, 'dModel', dModel, 1);
    checkInteger(op, 'maxLen', maxLen, 1);
    checkProbability(op, dropout);
    checkBase(op, base);
    this.dModel = dModel;
    this.maxLen = maxLen;
    this.scaleEmbedding = scaleEmbedding;
    this.batchFirst = batchFirst;
    this.base = base;
    this.dropout = this.module('dropout', new Dropout(dropout, { generator: options.generator }));
  }

  /** PE[offset…offset+length] as [length, D], a view of the cached table: do not modify it in place. */
  encoding(length: number, options: { offset?: number; dtype?: FloatDType } = {}): Tensor {
    const { offset = 0, dtype = 'float32' } = options;
    checkInteger('sinusoidalPositionalEncoding', 'offset', offset, 0);
    checkInteger('sinusoidalPositionalEncoding', 'length', length, 0);
    const end = offset + length;
    let table = this.tables.get(dtype); // [L, D]
    if (!table || table.shape[0] < end) {
      const rows = Math.max(this.maxLen, table ? 2 * end : end);
      table = sinusoidalTable(rows, this.dModel, { base: this.base, dtype }); // [L, D]
      this.tables.set(dtype, table);
    }
    return table.narrow(0, offset, length); // [T, D]
  }

  forward(x: Tensor, options: PositionOptions = {}): Tensor {
    const op = 'sinusoidalPositionalEncoding';
    const length = sequenceLength(op, x, this.dModel, this.batchFirst);
    const pe = this.encoding(length, { offset: options.offset ?? 0, dtype: floatDType(op, 'input', x) }); // [T, D]
    const scaled = this.scaleEmbedding ? x.mul(Math.sqrt(this.dModel)) : x; // [B, T, D]
    return this.dropout.forward(addPositions(scaled, pe, this.batchFirst)); // [B, T, D]
  }

  protected override extraRepr(): string {
    const extras = [
      this.scaleEmbedding ? 'scaleEmbedding=true' : '',
      this.batchFirst ? '' : 'batchFirst=false',
      this.base !== 10000 ? `base=${this.base}` : '',
    ].filter(Boolean);
    return [`dModel=${this.dModel}`, `maxLen=${this.maxLen}`, ...extras].join(', ');
  }
}
