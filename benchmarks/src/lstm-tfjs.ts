// The TF.js contender of the lstm suite: tf.layers.lstm (wrapped in tf.layers.bidirectional for two
// directions), loaded with the suite's PyTorch-layout weights, forward + backward via tf.variableGrads.
import * as tfl from '@tensorflow/tfjs-layers';
import { type TfBackend, type TfInfo, tf, useBackend } from './tfjs.js';

/** A weight in PyTorch's layout. */
export interface Param {
  shape: number[];
  data: Float32Array;
}

/** The sizes and weights of one case, in PyTorch's layout (see src/lstm.ts). */
export interface LstmSpec {
  steps: number;
  batch: number;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  /** x [T, B, in]. */
  x: Float32Array;
  /** PyTorch's state dict: weight_ih_l{k}[_reverse] [4H, in], weight_hh_… [4H, H], bias_ih_…, bias_hh_… [4H]. */
  weights: Map<string, Param>;
}

export interface TfLstm {
  enter: () => Promise<void>;
  /** One step: forward, sum, gradients w.r.t. every weight and x; disposes everything it made. */
  step: () => void;
  /** Output [T, B, D·H] and x's gradient [T, B, in] of one step, for the check. */
  check: () => Promise<{ output: Float32Array; inputGrad: Float32Array }>;
  dispose: () => void;
}

/** [rows, cols] row-major → [cols, rows]. */
function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/**
 * One direction's TF.js weights from PyTorch's: kernel = W_ihᵀ [in, 4H], recurrent kernel = W_hhᵀ [H, 4H],
 * bias = b_ih + b_hh. Both pack the gates as (i, f, g/c, o), so no reordering is needed.
 */
function directionWeights(s: LstmSpec, layer: number, reverse: boolean): tf.Tensor[] {
  const h = s.hiddenSize;
  const layerInput = layer === 0 ? s.inputSize : h * (s.bidirectional ? 2 : 1);
  const get = (name: string) => {
    const w = s.weights.get(`${name}_l${layer}${reverse ? '_reverse' : ''}`);
    if (w === undefined) throw new Error(`lstm (TF.js): no ${name}_l${layer} in the weights`);
    return w.data;
  };
  const [bih, bhh] = [get('bias_ih'), get('bias_hh')];
  return [
    tf.tensor2d(transposed(get('weight_ih'), 4 * h, layerInput), [layerInput, 4 * h]),
    tf.tensor2d(transposed(get('weight_hh'), 4 * h, h), [h, 4 * h]),
    tf.tensor1d(bih.map((b, i) => b + bhh[i])),
  ];
}

/**
 * The layers of one case on `backend` (weights and x live there), or why that backend cannot run. TF.js's
 * LSTM defaults differ from PyTorch's: recurrentActivation is hardSigmoid (set to sigmoid here) and the
 * kernels start orthogonal (zeros here, overwritten; the orthogonal initializer also needs tfjs-core's
 * chained ops, which nothing here imports).
 */
export async function tfLstm(info: TfInfo, backend: TfBackend, s: LstmSpec): Promise<TfLstm | string> {
  if (backend === 'wasm' && info.wasmError !== null) return 'n/a (see below)';
  const enter = () => useBackend(backend);
  await enter();
  const { steps: t, batch: b, inputSize, hiddenSize } = s;
  const lstm = () =>
    tfl.layers.lstm({
      units: hiddenSize,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros',
      biasInitializer: 'zeros',
    });
  const layers = Array.from({ length: s.numLayers }, () =>
    s.bidirectional
      ? tfl.layers.bidirectional({ layer: lstm() as unknown as tfl.RNN, mergeMode: 'concat' })
      : lstm(),
  );
  // TF.js is batch-major: x is [B, T, in] and the output [B, T, D·H].
  const x = tf.tidy(() => tf.variable(tf.transpose(tf.tensor3d(s.x, [t, b, inputSize]), [1, 0, 2])));
  const forward = () => layers.reduce<tf.Tensor>((h, layer) => layer.apply(h) as tf.Tensor, x);
  forward().dispose(); // builds the layers (their weights are created on this backend)
  layers.forEach((layer, l) => {
    const weights = [false, true]
      .slice(0, s.bidirectional ? 2 : 1)
      .flatMap((reverse) => directionWeights(s, l, reverse)); // forward direction first, as Bidirectional has them
    layer.setWeights(weights);
    tf.dispose(weights);
  });
  const variables = [
    x,
    ...layers.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable)),
  ];
  const gradients = () => tf.variableGrads(() => tf.sum(forward()) as tf.Scalar, variables);
  return {
    enter,
    step: () => {
      const { value, grads } = gradients();
      value.dispose();
      tf.dispose(Object.values(grads));
    },
    check: async () => {
      await enter();
      const { value, grads } = gradients();
      value.dispose();
      const inputGrad = tf.tidy(() => tf.transpose(grads[x.name], [1, 0, 2]).dataSync() as Float32Array);
      tf.dispose(Object.values(grads));
      const output = tf.tidy(() => tf.transpose(forward(), [1, 0, 2]).dataSync() as Float32Array);
      return { output: output.slice(), inputGrad: inputGrad.slice() };
    },
    dispose: () => {
      for (const layer of layers) layer.dispose();
      x.dispose();
    },
  };
}
