/** @file A lookup table of vectors indexed by token ids. */
import {
  DTypeError,
  type FloatDType,
  IndexError,
  noGrad,
  type Tensor,
  where,
  zeros,
} from '@tensorloom/tensor';
import { normal_ } from '../init.js';
import { Module } from '../module.js';

export interface EmbeddingOptions {
  /** This row is initialised to zeros and never receives a gradient (the padding token). */
  paddingIdx?: number;
  /** Weight dtype (default 'float32'), like PyTorch's `dtype=` factory argument. */
  dtype?: FloatDType;
}

/**
 * Maps int32 ids [...] to vectors [..., embeddingDim]; weight [numEmbeddings, embeddingDim] ~ N(0, 1), as in
 * PyTorch.
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new IndexError(
          `embedding: paddingIdx must be within numEmbeddings (got ${pad} for ${numEmbeddings})`,
        );
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    const weight = normal_(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' }));
    if (pad !== null) noGrad(() => weight.select(0, pad).zero_());
    this.weight = this.param('weight', weight);
  }

  forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32')
      throw new DTypeError(`embedding: indices must be int32 (got ${indices.dtype})`);
    const flat = indices.reshape([-1]); // [N]
    const ids = flat.dataSync();
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= this.numEmbeddings) {
        throw new IndexError(
          `embedding: id ${ids[i]} is out of range for numEmbeddings ${this.numEmbeddings}`,
        );
      }
    }
    const rows = this.weight.indexSelect(0, flat).reshape([...indices.shape, this.embeddingDim]); // [..., D]
    if (this.paddingIdx === null) return rows;
    // Same values, but the padding row's lookups pass no gradient back to the table.
    const real = indices.ne(this.paddingIdx).unsqueeze(-1); // [..., 1]
    return where(real, rows, rows.detach());
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
