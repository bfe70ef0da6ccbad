/** @file h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) */
import type { Tensor } from '@tensorloom/tensor';
import { TensorloomError } from '@tensorloom/tensor';
import { elman } from '../recurrence.js';
import { type CellOptions, RNNCellBase } from './cell-base.js';

export interface RNNCellOptions extends CellOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * An Elman RNN cell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), PyTorch's nn.RNNCell.
 * @example new RNNCell(3, 5).forward(randn([2, 3])).shape // [2, 5]
 */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new TensorloomError(`rnnCell: nonlinearity must be 'tanh' or 'relu' (got '${nonlinearity}')`);
    }
    super('rnnCell', elman(nonlinearity), inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  /** x [B, in] or [in], h [B, H] or [H] (zeros if omitted) → h' of h's shape. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cellForward(x, h ? [h] : null, ['h'])[0];
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'tanh' ? '' : `, nonlinearity='${this.nonlinearity}'`}`;
  }
}
