/** @file A stack of GRU layers over a sequence. */
import type { Tensor } from '@tensorloom/tensor';
import { gru } from '../recurrence.js';
import { RecurrentBase, type RecurrentOptions, type SequenceOptions } from './recurrent-base.js';

export type GRUOptions = RecurrentOptions;

/**
 * A multi-layer GRU, PyTorch's nn.GRU: per layer and direction, gates (r, z, n) packed in
 * `weight_ih_l{k}[_reverse]` [3H, in] and `weight_hh_l{k}[_reverse]` [3H, H];
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1} (Cho et al., 2014).
 * @example
 * const gru = new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, batchFirst: true });
 * const [output, hN] = gru.forward(randn([4, 7, 3])); // output [4, 7, 5], hN [2, 4, 5]
 */
export class GRU extends RecurrentBase {
  constructor(options: GRUOptions) {
    super('gru', gru, options);
  }

  /**
   * input [T, B, in] ([B, T, in] with batchFirst, [T, in] unbatched), h0 [L·D, B, H] ([L·D, H]; zeros if
   * omitted) → [output [T, B, D·H], hN [L·D, B, H]].
   */
  forward(input: Tensor, h0?: Tensor | null, options: SequenceOptions = {}): [Tensor, Tensor] {
    const [output, [hN]] = this.run(input, h0 ? [h0] : null, ['h0'], options);
    return [output, hN];
  }
}
