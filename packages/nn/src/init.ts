/**
 * @file Parameter initialisers with PyTorch's formulas (torch.nn.init). Each fills a tensor in place, outside
 * the graph, and returns it. Draws come from `generator` or the default one seeded by manualSeed.
 */
import {
  DTypeError,
  defaultGenerator,
  type Generator,
  noGrad,
  type Tensor,
  TensorloomError,
  tensor,
} from '@tensorloom/tensor';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

interface RandomOptions {
  generator?: Generator;
}

function fillWith(t: Tensor, draw: () => number): Tensor {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new DTypeError(`init: random initialisers need a floating-point tensor (got ${t.dtype})`);
  }
  const values = new Float64Array(t.size);
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return noGrad(() => t.copy_(tensor(values, { shape: t.shape })));
}

/** The recommended gain for a nonlinearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new TensorloomError(`calculateGain: unsupported nonlinearity '${nonlinearity}'`);
  }
}

/** fanIn = shape[1] · receptive field, fanOut = shape[0] · receptive field, as PyTorch computes them. */
export function computeFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new TensorloomError(
      `init: fan in and fan out need a tensor with at least 2 dims (got [${t.shape.join(',')}])`,
    );
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** U(a, b) */
export function uniform_(t: Tensor, a = 0, b = 1, options: RandomOptions = {}): Tensor {
  const g = options.generator ?? defaultGenerator;
  return fillWith(t, () => a + (b - a) * g.uniform());
}

/** N(mean, std²) */
export function normal_(t: Tensor, mean = 0, std = 1, options: RandomOptions = {}): Tensor {
  const g = options.generator ?? defaultGenerator;
  return fillWith(t, () => mean + std * g.normal());
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot & Bengio (2010): U(−a, a) with a = gain · √(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, options: RandomOptions = {}): Tensor {
  const { fanIn, fanOut } = computeFans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, options);
}

/** Glorot & Bengio (2010): N(0, std²) with std = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, options: RandomOptions = {}): Tensor {
  const { fanIn, fanOut } = computeFans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

export interface KaimingOptions extends RandomOptions {
  /** The negative slope of the rectifier after this layer (for 'leaky_relu'). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leaky_relu' } = options;
  if (mode !== 'fanIn' && mode !== 'fanOut') {
    throw new TensorloomError(`kaiming: mode must be 'fanIn' or 'fanOut' (got '${mode}')`);
  }
  const fans = computeFans(t);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** He et al. (2015): U(−b, b) with b = gain · √(3 / fan). */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound, options);
}

/** He et al. (2015): N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options), options);
}

/**
 * Saxe et al. (2013): a (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, with R's
 * diagonal signs folded into Q so the result is uniformly distributed; dims after the first are flattened.
 */
export function orthogonal_(t: Tensor, gain = 1, options: RandomOptions = {}): Tensor {
  if (t.ndim < 2)
    throw new TensorloomError(
      `orthogonal_: only tensors with 2 or more dims are supported (got [${t.shape.join(',')}])`,
    );
  const g = options.generator ?? defaultGenerator;
  const rows = t.shape[0];
  const cols = t.size / rows;
  // Work on the tall orientation: QR of an (n × m) matrix with n ≥ m, columns orthonormalised.
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const q = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => g.normal()));
  for (let j = 0; j < m; j++) {
    // Modified Gram–Schmidt, twice for numerical orthogonality; R's diagonal is the pre-normalisation norm.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[k][i] * q[j][i];
        for (let i = 0; i < n; i++) q[j][i] -= dot * q[k][i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[j][i] * q[j][i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[j][i] /= norm;
  }
  // q holds m orthonormal columns of length n. rows ≥ cols: t[i, j] = q[j][i]; else t[i, j] = q[i][j].
  const values = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = gain * (rows >= cols ? q[j][i] : q[i][j]);
  }
  return noGrad(() => t.copy_(tensor(values, { shape: t.shape })));
}
