/** @file c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c') */
import type { Tensor } from '@tensorloom/tensor';
import { lstm } from '../recurrence.js';
import { type CellOptions, RNNCellBase } from './cell-base.js';

/**
 * An LSTM cell, PyTorch's nn.LSTMCell: gates packed (i, f, g, o) in `weight_ih` [4H, in] and `weight_hh` [4H, H];
 * i, f, o = σ(·), g = tanh(·); c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c') (Hochreiter & Schmidhuber, 1997).
 * @example const [h, c] = new LSTMCell(3, 5).forward(randn([2, 3])); // h, c: [2, 5]
 */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('lstmCell', lstm, inputSize, hiddenSize, options);
  }

  /** x [B, in] or [in], [h, c] each [B, H] or [H] (zeros if omitted) → [h', c']. */
  forward(x: Tensor, state?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this.cellForward(x, state ?? null, ['h', 'c']);
    return [h, c];
  }
}
