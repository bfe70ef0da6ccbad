/**
 * @tensorloom/nn-rnn: RNN, LSTM and GRU cells and layers with PyTorch's parameter names, gate order, init and
 * shapes, and variable-length batches; and the seq2seq encoder-decoder of Sutskever et al. (2014).
 * @example
 * const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
 * lstm.namedParameters().map(([name]) => name); // ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', …]
 * const [output, [hN, cN]] = lstm.forward(randn([7, 4, 3])); // output [7, 4, 5], hN and cN [2, 4, 5]
 */

export { type CellOptions, RNNCellBase } from './cells/cell-base.js';
export { GRUCell } from './cells/gru-cell.js';
export { LSTMCell } from './cells/lstm-cell.js';
export { RNNCell, type RNNCellOptions } from './cells/rnn-cell.js';
export { GRU, type GRUOptions } from './layers/gru.js';
export type { Lengths } from './layers/lengths.js';
export { LSTM, type LSTMOptions } from './layers/lstm.js';
export { RecurrentBase, type RecurrentOptions, type SequenceOptions } from './layers/recurrent-base.js';
export { RNN, type RNNOptions } from './layers/rnn.js';
export type { GateWeights } from './recurrence.js';
export { type BridgeMode, Seq2SeqBridge, type StateShape } from './seq2seq/bridge.js';
export {
  type AttentionPlacement,
  type DecoderOutput,
  type DecoderStep,
  Seq2SeqDecoder,
  type Seq2SeqDecoderConfig,
} from './seq2seq/decoder.js';
export { type EncoderOutput, Seq2SeqEncoder, type Seq2SeqEncoderConfig } from './seq2seq/encoder.js';
export {
  type GreedyDecodeOptions,
  type GreedyDecodeResult,
  Seq2Seq,
  type Seq2SeqConfig,
  type Seq2SeqForwardOptions,
  type Seq2SeqOutput,
} from './seq2seq/model.js';
export type { AttentionMemory, CellType, DecoderAttention, RecurrentState } from './seq2seq/state.js';
export { decoderTargets, padBatch } from './seq2seq/tokens.js';
