/**
 * @file Float64 finite-difference checks of every cell and of small layers, with respect to the input, the
 * initial states and every parameter (the modules are built with dtype 'float64', so gradcheck perturbs the
 * registered parameters themselves). Each check also asserts that every checked tensor got a gradient, so a
 * forward that bypassed a parameter could not pass vacuously.
 */
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@tensorloom/nn-rnn';
import { Generator, gradcheck, randn, type Tensor } from '@tensorloom/tensor';
import { describe, expect, it } from 'vitest';

function f64(shape: number[], seed: number, scale = 1): Tensor {
  const t = randn(shape, { dtype: 'float64', generator: new Generator(seed) });
  return t.mul(scale).detach().requiresGrad_(true);
}

function check(fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[]): void {
  expect(gradcheck(fn, inputs)).toBe(true);
  for (const [i, t] of inputs.entries()) expect(t.grad, `input ${i} got a gradient`).not.toBeNull();
}

describe('gradcheck (float64): cells', () => {
  it.each([
    ['tanh, batched, with state', 'tanh', true, [2, 3]],
    ['relu, batched, with state', 'relu', true, [2, 3]],
    ['tanh, no bias', 'tanh', false, [2, 3]],
    ['tanh, unbatched', 'tanh', true, [3]],
  ] as const)('RNNCell %s', (_, nonlinearity, bias, xShape) => {
    const cell = new RNNCell(3, 4, { nonlinearity, bias, dtype: 'float64' });
    const hShape = xShape.length === 2 ? [xShape[0], 4] : [4];
    check((x, h) => cell.forward(x, h), [f64([...xShape], 1), f64(hShape, 2, 0.5), ...cell.parameters()]);
  });

  it.each([
    ['batched, with state', true, [2, 3]],
    ['no bias', false, [2, 3]],
    ['unbatched', true, [3]],
  ] as const)('LSTMCell %s', (_, bias, xShape) => {
    const cell = new LSTMCell(3, 4, { bias, dtype: 'float64' });
    const hShape = xShape.length === 2 ? [xShape[0], 4] : [4];
    check(
      (x, h, c) => cell.forward(x, [h, c]),
      [f64([...xShape], 3), f64(hShape, 4, 0.5), f64(hShape, 5, 0.5), ...cell.parameters()],
    );
  });

  it.each([
    ['batched, with state', true, [2, 3]],
    ['no bias', false, [2, 3]],
    ['unbatched', true, [3]],
  ] as const)('GRUCell %s', (_, bias, xShape) => {
    const cell = new GRUCell(3, 4, { bias, dtype: 'float64' });
    const hShape = xShape.length === 2 ? [xShape[0], 4] : [4];
    check((x, h) => cell.forward(x, h), [f64([...xShape], 6), f64(hShape, 7, 0.5), ...cell.parameters()]);
  });

  it('cells from zero states (input and parameters only)', () => {
    const lstm = new LSTMCell(2, 3, { dtype: 'float64' });
    check((x) => lstm.forward(x), [f64([2, 2], 8), ...lstm.parameters()]);
    const gru = new GRUCell(2, 3, { dtype: 'float64' });
    check((x) => gru.forward(x), [f64([2, 2], 9), ...gru.parameters()]);
  });
});

describe('gradcheck (float64): layers', () => {
  // T = 3, B = 2, in = 2, H = 2: small enough for one finite difference per element of every parameter.
  const lengths = [3, 1];

  it('RNN, 2 layers, with state', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 2, numLayers: 2, dtype: 'float64' });
    check((x, h0) => rnn.forward(x, h0), [f64([3, 2, 2], 10), f64([2, 2, 2], 11, 0.5), ...rnn.parameters()]);
  });

  it('LSTM, 1 layer, with state', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, dtype: 'float64' });
    check(
      (x, h0, c0) => {
        const [output, [hN, cN]] = lstm.forward(x, [h0, c0]);
        return [output, hN, cN];
      },
      [f64([3, 2, 2], 12), f64([1, 2, 2], 13, 0.5), f64([1, 2, 2], 14, 0.5), ...lstm.parameters()],
    );
  });

  it('GRU, 2 layers, batchFirst, from zeros', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, numLayers: 2, batchFirst: true, dtype: 'float64' });
    check((x) => gru.forward(x), [f64([2, 3, 2], 15), ...gru.parameters()]);
  });

  it('LSTM, 2 layers, bidirectional, with lengths and state', () => {
    const lstm = new LSTM({
      inputSize: 2,
      hiddenSize: 2,
      numLayers: 2,
      bidirectional: true,
      dtype: 'float64',
    });
    check(
      (x, h0, c0) => {
        const [output, [hN, cN]] = lstm.forward(x, [h0, c0], { lengths });
        return [output, hN, cN];
      },
      [f64([3, 2, 2], 16), f64([4, 2, 2], 17, 0.5), f64([4, 2, 2], 18, 0.5), ...lstm.parameters()],
    );
  });

  it('GRU, bidirectional, batchFirst, with lengths and state', () => {
    const gru = new GRU({
      inputSize: 2,
      hiddenSize: 2,
      bidirectional: true,
      batchFirst: true,
      dtype: 'float64',
    });
    check(
      (x, h0) => gru.forward(x, h0, { lengths: [2, 3] }),
      [f64([2, 3, 2], 19), f64([2, 2, 2], 20, 0.5), ...gru.parameters()],
    );
  });

  it('RNN relu, bidirectional, with lengths', () => {
    const rnn = new RNN({
      inputSize: 2,
      hiddenSize: 2,
      bidirectional: true,
      nonlinearity: 'relu',
      dtype: 'float64',
    });
    check((x) => rnn.forward(x, null, { lengths }), [f64([3, 2, 2], 21), ...rnn.parameters()]);
  });

  it('LSTM, unbatched 2-D input, bidirectional', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, bidirectional: true, dtype: 'float64' });
    check(
      (x, h0, c0) => {
        const [output, [hN, cN]] = lstm.forward(x, [h0, c0]);
        return [output, hN, cN];
      },
      [f64([3, 2], 22), f64([2, 2], 23, 0.5), f64([2, 2], 24, 0.5), ...lstm.parameters()],
    );
  });
});
