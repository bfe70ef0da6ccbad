/**
 * @file Learned absolute position embeddings (BERT, GPT-2): a trainable vector per position, added to the
 * inputs. Unlike the sinusoidal encoding they exist only for positions below maxLen.
 */
import { Dropout, init, Module } from '@tensorloom/nn';
import { type FloatDType, type Generator, IndexError, type Tensor, zeros } from '@tensorloom/tensor';
import { ConfigError, checkInteger, checkProbability, floatDType } from './errors.js';
import { addPositions, sequenceLength } from './layout.js';
import type { PositionOptions } from './sinusoidal.js';

export interface LearnedPositionalEmbeddingOptions {
  /** Number of positions with an embedding; positions ≥ maxLen are an error. */
  maxLen: number;
  /** Width D of the inputs and of each embedding. */
  dModel: number;
  /** Dropout on the sum, in training mode only (default 0). */
  dropout?: number;
  /** Inputs are [B, T, D] (default true) rather than [T, B, D]; [T, D] is accepted in both layouts. */
  batchFirst?: boolean;
  /** Weight dtype (default 'float32'). */
  dtype?: FloatDType;
  /** Draws the initial weight and the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
}

/**
 * Adds a trainable embedding per position: forward(x, { offset }) = dropout(x + weight[offset…offset+T]).
 * `weight` [maxLen, D] starts ~ N(0, 1), as PyTorch's nn.Embedding (which is how BERT-style models hold it);
 * GPT-2 uses N(0, 0.02²): `init.normal_(pos.weight, 0, 0.02)`.
 * @example
 * const pos = new LearnedPositionalEmbedding({ maxLen: 1024, dModel: 768 });
 * pos.namedParameters().map(([name, p]) => [name, p.shape]); // [['weight', [1024, 768]]]
 * const h = pos.forward(embed.forward(tokens)); // [B, T, 768]
 */
export class LearnedPositionalEmbedding extends Module {
  readonly maxLen: number;
  readonly dModel: number;
  readonly batchFirst: boolean;
  readonly weight: Tensor;
  readonly dropout: Dropout;

  constructor(options: LearnedPositionalEmbeddingOptions) {
    super();
    const op = 'learnedPositionalEmbedding';
    const { maxLen, dModel, dropout = 0, batchFirst = true, dtype = 'float32', generator } = options;
    checkInteger(op, 'maxLen', maxLen, 1);
    checkInteger(op, 'dModel', dModel, 1);
    checkProbability(op, dropout);
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new ConfigError(`${op}: dtype must be 'float32' or 'float64' (got '${dtype}')`);
    }
    this.maxLen = maxLen;
    this.dModel = dModel;
    this.batchFirst = batchFirst;
    this.weight = this.param('weight', init.normal_(zeros([maxLen, dModel], { dtype }), 0, 1, { generator })); // [maxLen, D]
    this.dropout = this.module('dropout', new Dropout(dropout, { generator }));
  }

  forward(x: Tensor, options: PositionOptions = {}): Tensor {
    const op = 'learnedPositionalEmbedding';
    const { offset = 0 } = options;
    const length = sequenceLength(op, x, this.dModel, this.batchFirst);
    floatDType(op, 'input', x);
    checkInteger(op, 'offset', offset, 0);
    if (offset + length > this.maxLen) {
      throw new IndexError(
        `${op}: positions ${offset}…${offset + length - 1} requested (offset ${offset} + length ${length}) but maxLen is ${this.maxLen}: only positions 0…${this.maxLen - 1} have an embedding`,
      );
    }
    const pe = this.weight.narrow(0, offset, length); // [T, D]
    return this.dropout.forward(addPositions(x, pe, this.batchFirst)); // [B, T, D]
  }

  protected override extraRepr(): string {
    return `maxLen=${this.maxLen}, dModel=${this.dModel}${this.batchFirst ? '' : ', batchFirst=false'}`;
  }
}
