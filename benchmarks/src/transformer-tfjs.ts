// The TF.js contender of the transformer suite: one post-norm Transformer encoder layer built from tfjs-core
// ops (TF.js has no such layer), loaded with the suite's PyTorch-layout weights; forward + backward via
// tf.variableGrads.
import type { Param } from './lstm-tfjs.js';
import { type TfBackend, type TfInfo, tf, useBackend } from './tfjs.js';

/** The sizes, input and weights of the encoder layer, in PyTorch's layout (see src/transformer.ts). */
export interface EncoderSpec {
  batch: number;
  seq: number;
  dModel: number;
  nhead: number;
  dimFeedforward: number;
  layerNormEps: number;
  /** x [B, T, D]. */
  x: Float32Array;
  /** nn.TransformerEncoderLayer's state dict: self_attn.in_proj_weight [3D, D], linear1.weight [F, D], …. */
  weights: Map<string, Param>;
}

/** What every contender's check returns: one step's output and two of its gradients. */
export interface EncoderCheck {
  /** [B, T, D]. */
  output: Float32Array;
  /** x's gradient [B, T, D]. */
  inputGrad: Float32Array;
  /** self_attn.in_proj_weight's gradient [3D, D]. */
  inProjGrad: Float32Array;
}

export interface TfEncoder {
  enter: () => Promise<void>;
  /** One step: forward, sum, gradients w.r.t. every weight and x; disposes everything it made. */
  step: () => void;
  check: () => Promise<EncoderCheck>;
  dispose: () => void;
}

/** [rows, cols] row-major → [cols, rows]. */
export function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/**
 * The layer on `backend` (weights and x live there), or why that backend cannot run. Dense kernels are stored
 * [in, out] as tf.layers.dense stores them (PyTorch's weight transposed), so every forward product is a plain
 * A·B, the layout TF.js's kernels are fastest on; backward needs the transposed products either way.
 */
export async function tfEncoderLayer(
  info: TfInfo,
  backend: TfBackend,
  s: EncoderSpec,
): Promise<TfEncoder | string> {
  if (backend === 'wasm' && info.wasmError !== null) return 'n/a (see below)';
  const enter = () => useBackend(backend);
  await enter();
  const { batch: b, seq: t, dModel: d, nhead: h, layerNormEps: eps } = s;
  const dh = d / h;
  const get = (name: string) => {
    const w = s.weights.get(name);
    if (w === undefined) throw new Error(`transformer (TF.js): no ${name} in the weights`);
    return w;
  };
  const kernel = (name: string) => {
    const [rows, cols] = get(name).shape; // PyTorch's [out, in]
    return tf.variable(tf.tensor2d(transposed(get(name).data, rows, cols), [cols, rows])); // [in, out]
  };
  const vector = (name: string) => tf.variable(tf.tensor1d(get(name).data));
  const w = {
    inProj: kernel('self_attn.in_proj_weight'), // [D, 3D]
    inBias: vector('self_attn.in_proj_bias'),
    outProj: kernel('self_attn.out_proj.weight'), // [D, D]
    outBias: vector('self_attn.out_proj.bias'),
    linear1: kernel('linear1.weight'), // [D, F]
    bias1: vector('linear1.bias'),
    linear2: kernel('linear2.weight'), // [F, D]
    bias2: vector('linear2.bias'),
    gamma1: vector('norm1.weight'),
    beta1: vector('norm1.bias'),
    gamma2: vector('norm2.weight'),
    beta2: vector('norm2.bias'),
  };
  const x = tf.variable(tf.tensor3d(s.x, [b, t, d])); // [B, T, D]

  const dense = (a: tf.Tensor, k: tf.Tensor, bias: tf.Tensor) => tf.add(tf.matMul(a, k), bias);
  const layerNorm = (a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, -1, true); // [N, 1] each (biased variance, as LayerNorm)
    return tf.add(tf.mul(tf.mul(tf.sub(a, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  };
  /** [B·T, D] → [B·H, T, Dh]. */
  const splitHeads = (a: tf.Tensor) =>
    tf.reshape(tf.transpose(tf.reshape(a, [b, t, h, dh]), [0, 2, 1, 3]), [b * h, t, dh]);
  const forward = () => {
    const rows = tf.reshape(x, [b * t, d]); // [B·T, D]
    const [q, k, v] = tf.split(dense(rows, w.inProj, w.inBias), 3, 1); // 3 × [B·T, D]
    const scaled = tf.mul(splitHeads(q), 1 / Math.sqrt(dh)); // [B·H, T, Dh], scaled as PyTorch scales q
    const weights = tf.softmax(tf.matMul(scaled, splitHeads(k), false, true)); // [B·H, T, T]
    const heads = tf.matMul(weights, splitHeads(v)); // [B·H, T, Dh]
    const merged = tf.reshape(tf.transpose(tf.reshape(heads, [b, h, t, dh]), [0, 2, 1, 3]), [b * t, d]);
    const attended = dense(merged, w.outProj, w.outBias); // [B·T, D]
    const x1 = layerNorm(tf.add(rows, attended), w.gamma1, w.beta1); // [B·T, D]
    const ff = dense(tf.relu(dense(x1, w.linear1, w.bias1)), w.linear2, w.bias2); // [B·T, D]
    return tf.reshape(layerNorm(tf.add(x1, ff), w.gamma2, w.beta2), [b, t, d]); // [B, T, D]
  };
  const variables = [x, ...Object.values(w)];
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
      const inputGrad = (grads[x.name].dataSync() as Float32Array).slice();
      const inProjGrad = transposed(grads[w.inProj.name].dataSync() as Float32Array, d, 3 * d); // → [3D, D]
      tf.dispose(Object.values(grads));
      const output = tf.tidy(() => (forward().dataSync() as Float32Array).slice());
      return { output, inputGrad, inProjGrad };
    },
    dispose: () => tf.dispose(variables),
  };
}
