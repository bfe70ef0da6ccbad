/**
 * Backward gives the storage of intermediate gradients back for reuse. Reuse must never change a result: the
 * same training step gives bit-identical gradients with reuse off and with reuse on while every reused array
 * comes out poisoned (NaN), so an op that promised to overwrite its output and did not, or an array given back
 * while something still reads it, shows up as a NaN or a changed value.
 */
import {
  dropout,
  Generator,
  indexSelect,
  layerNorm,
  linear,
  randn,
  setStoragePoolLimit,
  softmax,
  softmaxCrossEntropy,
  storagePoolStats,
  type Tensor,
  tensor,
  tril,
  where,
  zeros,
} from '@tensorloom/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { poisonReusedStorage, releaseStorage } from '../src/storage.js';

const DEFAULT_LIMIT = storagePoolStats().limitBytes;

afterEach(() => {
  poisonReusedStorage(false);
  setStoragePoolLimit(DEFAULT_LIMIT);
});

const [B, T, D, V] = [4, 32, 128, 96];

/** A one-layer decoder-style model's parameters (the embedding is tied to the output projection). */
function makeParameters() {
  const g = new Generator(3);
  const p = (shape: number[], scale = 0.1) => randn(shape, { generator: g }).mul(scale).requiresGrad_();
  return {
    embedding: p([V, D]),
    wq: p([D, D]),
    wk: p([D, D]),
    wv: p([D, D]),
    bq: p([D]),
    w1: p([4 * D, D]),
    b1: p([4 * D]),
    w2: p([D, 4 * D]),
    gamma: p([D], 1),
    beta: p([D]),
  };
}
type Parameters = ReturnType<typeof makeParameters>;

/** One step's loss (its graph uses every primitive the translator's step does, and one tensor twice). */
function lossOf(params: Parameters, tokens: Tensor, targets: Tensor, seed: number): Tensor {
  const { embedding, wq, wk, wv, bq, w1, b1, w2, gamma, beta } = params;
  const generator = new Generator(seed);
  const x = indexSelect(embedding, 0, tokens).reshape([B, T, D]); // [B, T, D]
  const doubled = x.add(x); // one intermediate gradient delivered twice to the same tensor
  const q = linear(doubled, wq, bq); // [B, T, D]
  const k = linear(x, wk); // [B, T, D]
  const v = linear(x, wv); // [B, T, D]
  const causal = tril(zeros([T, T]).add(1)).gt(0); // [T, T]
  const scores = where(causal, q.matmul(k.transpose(1, 2)).mul(1 / Math.sqrt(D)), -1e9); // [B, T, T]
  const weights = dropout(softmax(scores, -1), { p: 0.1, generator }); // [B, T, T]
  const h = layerNorm(x.add(weights.matmul(v)), D, gamma, beta); // [B, T, D]
  const ff = linear(dropout(linear(h, w1, b1).relu(), { p: 0.1, generator }), w2); // [B, T, D]
  const out = h.add(ff).narrow(1, 0, T - 1); // [B, T − 1, D]: a slice's gradient waits for its operand
  const logits = linear(out.reshape([B * (T - 1), D]), embedding); // [B·(T − 1), V]
  return softmaxCrossEntropy(logits, targets, 0.1).mean();
}

/** Fills the pool with spare arrays of every size the step allocates, so that every op there gets one. */
function primePool(): void {
  const sizes = [
    B * T * D,
    B * T * 4 * D,
    B * (T - 1) * D,
    B * (T - 1) * V,
    B * T * T,
    V * D,
    4 * D * D,
    D * D,
  ];
  // Exact sizes, and a little longer ones (handed out as views of the requested length).
  for (const size of sizes) {
    for (let i = 0; i < 4; i++) releaseStorage('float32', new Float32Array(size));
    for (let i = 0; i < 4; i++) releaseStorage('float32', new Float32Array(Math.ceil(size * 1.03)));
  }
}

/** Each parameter's gradient (copied) after `steps` steps of the same batch (with the pool primed if `prime`). */
function gradientsAfter(steps: number, prime = false): Float32Array[] {
  const params = makeParameters();
  const ids = (count: number, stride: number) =>
    tensor(
      Array.from({ length: count }, (_, i) => (i * stride) % V),
      { dtype: 'int32' },
    );
  const tokens = ids(B * T, 7);
  const targets = ids(B * (T - 1), 11);
  let grads: Float32Array[] = [];
  for (let step = 0; step < steps; step++) {
    for (const p of Object.values(params)) p.grad = null;
    if (prime) primePool();
    lossOf(params, tokens, targets, step).backward();
    grads = Object.values(params).map((p) => Float32Array.from((p.grad as Tensor).dataSync()));
  }
  return grads;
}

describe('storage reuse', () => {
  it('backward gives intermediate gradients back to the pool', () => {
    setStoragePoolLimit(0);
    setStoragePoolLimit(DEFAULT_LIMIT);
    expect(storagePoolStats().arrays).toBe(0);
    gradientsAfter(1);
    expect(storagePoolStats().arrays).toBeGreaterThan(0);
    expect(storagePoolStats().bytes).toBeLessThanOrEqual(DEFAULT_LIMIT);
  });

  it('leaves every gradient bit-identical, even with reused arrays poisoned', () => {
    setStoragePoolLimit(0);
    const without = gradientsAfter(3);
    setStoragePoolLimit(DEFAULT_LIMIT);
    setStoragePoolLimit(256 * 2 ** 20);
    poisonReusedStorage(true);
    const withReuse = gradientsAfter(3, true);
    // Elements that differ, per parameter (a compact failure message where toEqual would print megabytes).
    const differing = withReuse.map(
      (g, i) => g.filter((value, j) => !Object.is(value, without[i][j])).length,
    );
    expect(differing).toEqual(without.map(() => 0));
  });

  it('never reuses a retained gradient or the caller’s seed gradient', () => {
    poisonReusedStorage(true);
    const x = randn([64, 128], { generator: new Generator(1) }).requiresGrad_();
    const hidden = x.mul(2).relu().retainGrad(); // [64, 128]
    const seed = randn([64, 128], { generator: new Generator(2) });
    const seedBefore = Float32Array.from(seed.dataSync());
    hidden.mul(3).tanh().backward(seed);
    const retained = Float32Array.from((hidden.grad as Tensor).dataSync());
    for (let i = 0; i < 3; i++) gradientsAfter(1); // plenty of reuse in between
    expect(Float32Array.from((hidden.grad as Tensor).dataSync())).toEqual(retained);
    expect(Float32Array.from(seed.dataSync())).toEqual(seedBefore);
  });

  it('hands out zeros where an op asked for zeroed storage', () => {
    poisonReusedStorage(true);
    gradientsAfter(1);
    const { arrays } = storagePoolStats();
    // Sizes the step just gave back: zeros() takes them from the pool and must still read as zeros.
    const taken = [zeros([B, T, D]), zeros([B, T, 4 * D]), zeros([B * (T - 1), V])];
    expect(storagePoolStats().arrays).toBeLessThan(arrays);
    for (const t of taken) expect(t.dataSync().every((value) => value === 0)).toBe(true);
  });

  it('serves a request from a free array a little longer, as a view of the requested length', () => {
    setStoragePoolLimit(0);
    setStoragePoolLimit(DEFAULT_LIMIT);
    releaseStorage('float32', new Float32Array(10_000));
    expect(zeros([10_001]).data.buffer.byteLength).toBe(40_004); // too short: a new array
    expect(zeros([5_000]).data.buffer.byteLength).toBe(20_000); // twice as long would waste too much
    const t = zeros([8_000]);
    expect(t.data.length).toBe(8_000);
    expect(t.data.buffer.byteLength).toBe(40_000);
    expect(storagePoolStats().arrays).toBe(0);
    releaseStorage('float32', t.data); // the view gives back the whole array
    expect(storagePoolStats().bytes).toBe(40_000);
    expect(zeros([10_000]).data.buffer.byteLength).toBe(40_000);
  });

  it('keeps within its limit, and a limit of 0 empties it', () => {
    setStoragePoolLimit(64 * 1024);
    gradientsAfter(1);
    expect(storagePoolStats().bytes).toBeLessThanOrEqual(64 * 1024);
    setStoragePoolLimit(0);
    expect(storagePoolStats()).toEqual({ arrays: 0, bytes: 0, limitBytes: 0 });
    expect(() => setStoragePoolLimit(-1)).toThrow(RangeError);
    expect(() => setStoragePoolLimit(Number.NaN)).toThrow(/setStoragePoolLimit/);
  });
});
