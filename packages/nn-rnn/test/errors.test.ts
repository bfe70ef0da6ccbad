/** @file Bad configurations and inputs throw typed errors that name the layer and give expected against got. */
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@tensorloom/nn-rnn';
import {
  DTypeError,
  IndexError,
  randn,
  ShapeError,
  TensorloomError,
  tensor,
  zeros,
} from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

describe('layer inputs', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
  const gru = new GRU({ inputSize: 3, hiddenSize: 5, bidirectional: true, batchFirst: true });

  it('input size', () => {
    expect(() => lstm.forward(randn([4, 2, 7]))).toThrow(ShapeError);
    expect(() => lstm.forward(randn([4, 2, 7]))).toThrow(
      'lstm: input last dim must equal inputSize (expected 3, got 7; input [4, 2, 7])',
    );
    expect(() => gru.forward(randn([2, 4, 1]))).toThrow(
      'gru: input last dim must equal inputSize (expected 3, got 1',
    );
  });

  it('input rank', () => {
    expect(() => lstm.forward(randn([3]))).toThrow(
      'lstm: input must be 3-D [T, B, inputSize] or 2-D [T, inputSize] (got [3])',
    );
    expect(() => gru.forward(randn([1, 2, 4, 3]))).toThrow(
      'gru: input must be 3-D [B, T, inputSize] or 2-D [T, inputSize] (got [1, 2, 4, 3])',
    );
    expect(() => lstm.forward(zeros([0, 2, 3]))).toThrow('lstm: input must have at least one time step');
  });

  it('initial state shapes', () => {
    const x = randn([4, 2, 3]);
    expect(() => lstm.forward(x, [zeros([1, 2, 5]), zeros([2, 2, 5])])).toThrow(ShapeError);
    expect(() => lstm.forward(x, [zeros([1, 2, 5]), zeros([2, 2, 5])])).toThrow(
      'lstm: h0 must have shape [2, 2, 5] (got [1, 2, 5])',
    );
    expect(() => lstm.forward(x, [zeros([2, 2, 5]), zeros([2, 3, 5])])).toThrow(
      'lstm: c0 must have shape [2, 2, 5] (got [2, 3, 5])',
    );
    expect(() => gru.forward(randn([2, 4, 3]), zeros([1, 2, 5]))).toThrow(
      'gru: h0 must have shape [2, 2, 5] (got [1, 2, 5])',
    );
    // Unbatched input takes unbatched states, as in PyTorch.
    expect(() => new RNN({ inputSize: 3, hiddenSize: 5 }).forward(randn([4, 3]), zeros([1, 1, 5]))).toThrow(
      'rnn: h0 must have shape [1, 5] (got [1, 1, 5])',
    );
  });

  it('lengths', () => {
    const x = randn([4, 3, 3]); // T = 4, B = 3
    const run = (lengths: number[] | ReturnType<typeof tensor>) => () => lstm.forward(x, null, { lengths });
    expect(run([4, 5, 1])).toThrow(IndexError);
    expect(run([4, 5, 1])).toThrow(
      'lstm: lengths[1] = 5 must be an integer in [1, 4] (the input has 4 time steps)',
    );
    expect(run([4, 0, 1])).toThrow('lstm: lengths[1] = 0 must be an integer in [1, 4]');
    expect(run([4, 2.5, 1])).toThrow('lstm: lengths[1] = 2.5 must be an integer in [1, 4]');
    expect(run([4, 2])).toThrow(ShapeError);
    expect(run([4, 2])).toThrow('lstm: lengths must have one entry per batch element (expected 3, got 2)');
    expect(run(tensor([4, 2, 1, 1], { dtype: 'int32' }))).toThrow('(expected 3, got 4)');
    expect(run(tensor([4, 2, 1], { dtype: 'float32' }))).toThrow(DTypeError);
    expect(run(tensor([[4, 2, 1]], { dtype: 'int32' }))).toThrow(
      'lstm: lengths must be a 1-D tensor [B] (got shape [1, 3])',
    );
    expect(() => gru.forward(randn([2, 4, 3]), null, { lengths: [4, 9] })).toThrow(
      'gru: lengths[1] = 9 must be an integer in [1, 4]',
    );
  });
});

describe('cell inputs', () => {
  it('input size and rank', () => {
    const cell = new LSTMCell(3, 5);
    expect(() => cell.forward(randn([2, 4]))).toThrow(ShapeError);
    expect(() => cell.forward(randn([2, 4]))).toThrow(
      'lstmCell: input last dim must equal inputSize (expected 3, got 4; input [2, 4])',
    );
    expect(() => new GRUCell(3, 5).forward(randn([1, 2, 3]))).toThrow(
      'gruCell: input must be 2-D [B, inputSize] or 1-D [inputSize] (got [1, 2, 3])',
    );
  });

  it('state shapes', () => {
    expect(() => new LSTMCell(3, 5).forward(randn([2, 3]), [zeros([2, 5]), zeros([3, 5])])).toThrow(
      'lstmCell: c must have shape [2, 5] (got [3, 5])',
    );
    expect(() => new RNNCell(3, 5).forward(randn([2, 3]), zeros([2, 4]))).toThrow(
      'rnnCell: h must have shape [2, 5] (got [2, 4])',
    );
    expect(() => new GRUCell(3, 5).forward(randn([3]), zeros([1, 5]))).toThrow(
      'gruCell: h must have shape [5] (got [1, 5])',
    );
  });
});

describe('configurations', () => {
  it.each([
    [
      'hiddenSize 0',
      () => new LSTM({ inputSize: 3, hiddenSize: 0 }),
      'lstm: hiddenSize must be an integer ≥ 1 (got 0)',
    ],
    [
      'numLayers 1.5',
      () => new GRU({ inputSize: 3, hiddenSize: 2, numLayers: 1.5 }),
      'gru: numLayers must be an integer ≥ 1',
    ],
    [
      'inputSize -1',
      () => new RNN({ inputSize: -1, hiddenSize: 2 }),
      'rnn: inputSize must be an integer ≥ 1',
    ],
    [
      'dropout 1.5',
      () => new LSTM({ inputSize: 3, hiddenSize: 2, dropout: 1.5 }),
      'lstm: dropout must be in [0, 1] (got 1.5)',
    ],
    [
      'nonlinearity',
      () => new RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: 'sigmoid' as 'tanh' }),
      "rnn: nonlinearity must be 'tanh' or 'relu' (got 'sigmoid')",
    ],
    [
      'cell nonlinearity',
      () => new RNNCell(3, 2, { nonlinearity: 'gelu' as 'relu' }),
      "rnnCell: nonlinearity must be 'tanh' or 'relu' (got 'gelu')",
    ],
    ['cell hiddenSize', () => new LSTMCell(3, 0), 'lstmCell: hiddenSize must be an integer ≥ 1 (got 0)'],
    [
      'dtype',
      () => new GRUCell(3, 2, { dtype: 'int32' as 'float32' }),
      "gruCell: dtype must be 'float32' or 'float64'",
    ],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(TensorloomError);
    expect(make).toThrow(message);
  });

  it('a state dict of another configuration names the mismatched keys', () => {
    const small = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const big = new LSTM({ inputSize: 3, hiddenSize: 5, bidirectional: true });
    expect(() => small.loadStateDict(big.stateDict())).toThrow(
      /weight_ih_l0_reverse[\s\S]*size mismatch for weight_ih_l0/,
    );
  });
});
