/** @file h' = (1 − z) ⊙ n + z ⊙ h */
import type { Tensor } from '@tensorloom/tensor';
import { gru } from '../recurrence.js';
import { type CellOptions, RNNCellBase } from './cell-base.js';

/**
 * A GRU cell, PyTorch's nn.GRUCell: gates packed (r, z, n) in `weight_ih` [3H, in] and `weight_hh` [3H, H];
 * r, z = σ(·); n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h (Cho et al., 2014).
 * @example new GRUCell(3, 5).forward(randn([2, 3])).shape // [2, 5]
 */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('gruCell', gru, inputSize, hiddenSize, options);
  }

  /** x [B, in] or [in], h [B, H] or [H] (zeros if omitted) → h' of h's shape. */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.cellForward(x, h ? [h] : null, ['h'])[0];
  }
}
