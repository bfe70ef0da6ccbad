/** @file A stack of Elman RNN layers over a sequence. */
import { type Tensor, TensorloomError } from '@tensorloom/tensor';
import { elman } from '../recurrence.js';
import { RecurrentBase, type RecurrentOptions, type SequenceOptions } from './recurrent-base.js';

export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * A multi-layer Elman RNN, PyTorch's nn.RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh) per layer and
 * direction, parameters `weight_ih_l{k}[_reverse]` [H, in], `weight_hh_l{k}[_reverse]` [H, H], biases [H].
 * @example
 * const rnn = new RNN({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
 * const [output, hN] = rnn.forward(randn([7, 4, 3])); // output [7, 4, 5], hN [2, 4, 5]
 */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new TensorloomError(`rnn: nonlinearity must be 'tanh' or 'relu' (got '${nonlinearity}')`);
    }
    super('rnn', elman(nonlinearity), options);
    this.nonlinearity = nonlinearity;
  }

  /**
   * input [T, B, in] ([B, T, in] with batchFirst, [T, in] unbatched), h0 [L·D, B, H] ([L·D, H]; zeros if
   * omitted) → [output [T, B, D·H], hN [L·D, B, H]].
   */
  forward(input: Tensor, h0?: Tensor | null, options: SequenceOptions = {}): [Tensor, Tensor] {
    const [output, [hN]] = this.run(input, h0 ? [h0] : null, ['h0'], options);
    return [output, hN];
  }

  protected override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'tanh' ? '' : `, nonlinearity='${this.nonlinearity}'`}`;
  }
}
