/** @file Layer normalisation (Ba, Kiros & Hinton, 2016). */
import { layerNorm, ones, ShapeError, type Tensor, zeros } from '@tensorloom/tensor';
import { Module } from '../module.js';

export interface LayerNormOptions {
  eps?: number;
  /** Learnable per-element scale (and bias): weight starts at 1, bias at 0. */
  elementwiseAffine?: boolean;
  bias?: boolean;
}

/**
 * y = (x − E[x]) / √(Var[x] + ε) · γ + β over the trailing `normalizedShape` dims, with the biased variance, as
 * PyTorch's LayerNorm, on the tensor package's fused layerNorm (one kernel each way).
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (
      this.normalizedShape.length === 0 ||
      this.normalizedShape.some((d) => !Number.isInteger(d) || d <= 0)
    ) {
      throw new ShapeError(
        `layerNorm: normalizedShape must be a non-empty list of positive integers (got [${this.normalizedShape.join(',')}])`,
      );
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', ones(this.normalizedShape)) : null;
    this.bias = affine && (options.bias ?? true) ? this.param('bias', zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); // checks x's trailing dims
  }

  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
