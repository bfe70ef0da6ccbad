/**
 * @file The backend interface: the only place that touches raw storage. Kernels see strided views of typed
 * arrays, never tensors or autograd, so a faster backend (WASM SIMD, worker threads) can replace the portable
 * one without touching op code.
 */
import type { DType, FloatArray, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';

/** A strided view of a flat typed array: element (i0, i1, …) lives at offset + Σ i_k · strides[k]. */
export interface StridedArray {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

export const unaryOps = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'erf',
  'sign',
  'logicalNot',
] as const;
export type UnaryOp = (typeof unaryOps)[number];

export const arithmeticOps = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export const comparisonOps = [
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
  'logicalXor',
] as const;
export type ArithmeticOp = (typeof arithmeticOps)[number];
export type ComparisonOp = (typeof comparisonOps)[number];
/**
 * Ops only gradient rules use: `reluBackward(g, x)` = g where x > 0, else 0 (PyTorch's threshold_backward at 0),
 * one pass instead of a comparison and a where.
 */
export type GradientOp = 'reluBackward';
export type BinaryOp = ArithmeticOp | ComparisonOp | GradientOp;

export type ReduceOp = 'sum' | 'max' | 'min';

export interface Backend {
  readonly name: string;
  /** dst[i] = src[i] over dst's shape (src already broadcast to it), casting to dst's dtype (bool: x ≠ 0). */
  copy(src: StridedArray, dst: StridedArray): void;
  /** out = op(x), out contiguous with x's shape. */
  unary(op: UnaryOp, x: StridedArray, out: TypedArray): void;
  /** out = op(a, b); a and b share out's shape (broadcast dims have stride 0); out is contiguous. */
  binary(op: BinaryOp, a: StridedArray, b: StridedArray, out: TypedArray): void;
  /** out = cond ? a : b, all three already broadcast to out's shape. */
  where(cond: StridedArray, a: StridedArray, b: StridedArray, out: TypedArray): void;
  /**
   * Reduces the last `reduceRank` dims of x (callers permute the reduced dims last); out holds one value per
   * leading index. `indices` (for max/min over one dim) receives the position of the chosen element.
   */
  reduce(op: ReduceOp, x: StridedArray, reduceRank: number, out: TypedArray, indices?: Int32Array): void;
  /** out = softmax (or log-softmax when `log`) of x over the last dim; out is a strided view of x's shape. */
  softmax(x: StridedArray, out: StridedArray, log: boolean): void;
  /**
   * softmax's (or log-softmax's) vector-Jacobian product over the last dim, from its output y and the gradient
   * g: out = y ⊙ (g − Σ g ⊙ y), or g − exp(y) ⊙ Σ g when `log`. All three are strided views of one shape.
   */
  softmaxBackward(y: StridedArray, g: StridedArray, out: StridedArray, log: boolean): void;
  /**
   * Softmax cross-entropy of each row of x [N, C] against class indices target [N] (each in [0, C)), label
   * smoothing ε: loss [N] = (1 − ε)·(lse − x[n, t_n]) + ε·(lse − mean_c x[n, c]) with lse = log Σ_c exp x[n, c].
   * stats [N, 2] receives each row's max m and log Σ_c exp(x[n, c] − m) (lse = their sum, kept apart so that
   * the backward's x − m − log Σ loses nothing to a large lse's rounding). loss and stats are contiguous.
   */
  softmaxCrossEntropy(
    x: StridedArray,
    target: Int32Array,
    labelSmoothing: number,
    loss: FloatArray,
    stats: FloatArray,
  ): void;
  /**
   * softmaxCrossEntropy's vector-Jacobian product with respect to x, from the loss gradient g [N] and the saved
   * stats: out [N, C] (contiguous) = g[n]·(exp(x[n, c] − lse[n]) − ε/C − (1 − ε)·[c = t_n]).
   */
  softmaxCrossEntropyBackward(
    x: StridedArray,
    target: Int32Array,
    stats: FloatArray,
    g: FloatArray,
    labelSmoothing: number,
    out: FloatArray,
  ): void;
  /**
   * Layer normalisation of each row of x [N, D] (columns contiguous): out [N, D] = (x − mean)·rstd·weight + bias
   * with the biased variance and rstd = 1/√(var + eps), weight and bias [D] or null (1 and 0). When `stats`
   * ([N, 2]) is given it receives each row's mean and rstd for layerNormBackward. out and stats are contiguous.
   */
  layerNorm(
    x: StridedArray,
    weight: StridedArray | null,
    bias: StridedArray | null,
    eps: number,
    out: FloatArray,
    stats: FloatArray | null,
  ): void;
  /**
   * layerNorm's vector-Jacobian product: from dy [N, D] and x [N, D] (columns contiguous), weight [D] or null and
   * the forward's stats, writes dx [N, D], dWeight and dBias [D] (contiguous; a null one is not wanted).
   */
  layerNormBackward(
    dy: StridedArray,
    x: StridedArray,
    weight: StridedArray | null,
    stats: FloatArray,
    dx: FloatArray | null,
    dWeight: FloatArray | null,
    dBias: FloatArray | null,
  ): void;
  /**
   * The LSTM cell's gates, fused: gates [B, 4H] (pre-activations, blocks i, f, g, o) and cPrev [B, H] → out
   * [B, 2H] = [h | c], c = σ(f)·cPrev + σ(i)·tanh(g), h = σ(o)·tanh(c). When `saved` ([B, 5H]) is given it
   * receives σ(i), σ(f), tanh(g), σ(o), tanh(c) for lstmCellGatesBackward. out and saved are contiguous.
   */
  lstmCellGates(gates: StridedArray, cPrev: StridedArray, out: FloatArray, saved: FloatArray | null): void;
  /**
   * lstmCellGates' vector-Jacobian product: from d[h | c] [B, 2H], the saved activations and cPrev, writes
   * dGates [B, 4H] and dcPrev [B, H] (contiguous; a null one is not wanted).
   */
  lstmCellGatesBackward(
    dhc: StridedArray,
    saved: FloatArray,
    cPrev: StridedArray,
    dGates: FloatArray | null,
    dcPrev: FloatArray | null,
  ): void;
  /**
   * An LSTM layer's time loop in one direction, after the input projection: gx [T, B, 4H] (x·W_ihᵀ, blocks i, f,
   * g, o), h0 and c0 [B, H], weightHh [4H, H], bias [4H] or null. Step t computes gates = gx[t] + bias + h·W_hhᵀ
   * and the cell
   * (as lstmCellGates) and writes [h_t | c_t] to out[t] ([T, B, 2H], contiguous); steps run from t = T − 1 down to
   * 0 when `reverse`. Row b is real at step t when t < lengths[b] (all rows when lengths is null); on a padded
   * step the row carries the previous state over unchanged. When `saved` ([T, B, 5H]) is given it receives each
   * step's activations for lstmSequenceBackward.
   */
  lstmSequence(
    gx: StridedArray,
    h0: StridedArray,
    c0: StridedArray,
    weightHh: StridedArray,
    bias: StridedArray | null,
    lengths: Int32Array | null,
    reverse: boolean,
    out: FloatArray,
    saved: FloatArray | null,
  ): void;
  /**
   * lstmSequence's vector-Jacobian product, back through time: from dOut [T, B, 2H] and what the forward wrote
   * (out, saved), with its c0, weightHh, lengths and direction, writes dGx [T, B, 4H] (zero on padded steps), and
   * dh0, dc0 [B, H] (contiguous). W_hh's own gradient, Σ_t dGatesₜᵀ·hₜ₋₁, is one product the caller forms.
   */
  lstmSequenceBackward(
    dOut: StridedArray,
    out: FloatArray,
    saved: FloatArray,
    c0: StridedArray,
    weightHh: StridedArray,
    lengths: Int32Array | null,
    reverse: boolean,
    dGx: FloatArray,
    dh0: FloatArray,
    dc0: FloatArray,
  ): void;
  /**
   * The GRU cell's gates, fused (PyTorch's variant): gx, gh [B, 3H] (blocks r, z, n) and hPrev [B, H] → out
   * [B, H] = (1 − z)·n + z·hPrev with r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r·gh_n).
   * When `saved` ([B, 3H]) is given it receives r, z, n for gruCellGatesBackward. out and saved are contiguous.
   */
  gruCellGates(
    gx: StridedArray,
    gh: StridedArray,
    hPrev: StridedArray,
    out: FloatArray,
    saved: FloatArray | null,
  ): void;
  /**
   * gruCellGates' vector-Jacobian product: from dh [B, H], the saved activations, gh and hPrev, writes dgx,
   * dgh [B, 3H] and dhPrev [B, H] (contiguous; a null one is not wanted).
   */
  gruCellGatesBackward(
    dh: StridedArray,
    saved: FloatArray,
    gh: StridedArray,
    hPrev: StridedArray,
    dgx: FloatArray | null,
    dgh: FloatArray | null,
    dhPrev: FloatArray | null,
  ): void;
  /**
   * A linear layer's product: out [N, M] = x [N, K] · weightᵀ + bias, with weight [M, K] (PyTorch's layout) and
   * bias [M] (added to every row) or null; out is contiguous.
   */
  linear(x: StridedArray, weight: StridedArray, bias: StridedArray | null, out: FloatArray): void;
  /** Batched matmul: a [...batch, M, K] · b [...batch, K, N] → contiguous out [...batch, M, N]; same batch dims. */
  matmul(a: StridedArray, b: StridedArray, out: FloatArray): void;
  /** out[…i…j…] = x[…index[…i…j…]…] along `dim` (PyTorch's gather); out has index's shape. */
  gather(x: StridedArray, dim: number, index: StridedArray, out: TypedArray): void;
  /** dst[…index[…]…] += src[…] along `dim`; dst contiguous, updated in place. */
  scatterAdd(dst: TypedArray, dstShape: Shape, dim: number, index: StridedArray, src: StridedArray): void;
}

export type BackendDType = DType;
