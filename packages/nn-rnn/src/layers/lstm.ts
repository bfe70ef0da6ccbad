/** @file A stack of LSTM layers over a sequence. */
import type { Tensor } from '@tensorloom/tensor';
import { lstm } from '../recurrence.js';
import { RecurrentBase, type RecurrentOptions, type SequenceOptions } from './recurrent-base.js';

export type LSTMOptions = RecurrentOptions;

/**
 * A multi-layer LSTM, PyTorch's nn.LSTM: per layer and direction, gates (i, f, g, o) packed in
 * `weight_ih_l{k}[_reverse]` [4H, in] and `weight_hh_l{k}[_reverse]` [4H, H]; c_t = f ⊙ c_{t−1} + i ⊙ g,
 * h_t = o ⊙ tanh(c_t) (Hochreiter & Schmidhuber, 1997).
 * @example
 * const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true });
 * const [output, [hN, cN]] = lstm.forward(randn([7, 4, 3]), null, { lengths: [7, 2, 5, 3] });
 * // output [7, 4, 10] (zeros past each length), hN and cN [2, 4, 5]
 */
export class LSTM extends RecurrentBase {
  constructor(options: LSTMOptions) {
    super('lstm', lstm, options);
  }

  /**
   * input [T, B, in] ([B, T, in] with batchFirst, [T, in] unbatched), [h0, c0] each [L·D, B, H] ([L·D, H]; zeros
   * if omitted) → [output [T, B, D·H], [hN, cN] each [L·D, B, H]].
   */
  forward(
    input: Tensor,
    state?: readonly [Tensor, Tensor] | null,
    options: SequenceOptions = {},
  ): [Tensor, [Tensor, Tensor]] {
    const [output, [hN, cN]] = this.run(input, state ?? null, ['h0', 'c0'], options);
    return [output, [hN, cN]];
  }
}
