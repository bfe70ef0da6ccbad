/** @file y = x Wᵀ + b */
import { type FloatDType, linear, ShapeError, type Tensor, zeros } from '@tensorloom/tensor';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';

/**
 * y = x Wᵀ + b over the last dim (PyTorch's `F.linear`): the tensor package's fused `linear`, re-exported here
 * beside the layer, as torch.nn.functional keeps it beside torch.nn.Linear.
 */
export { linear } from '@tensorloom/tensor';

export interface LinearOptions {
  bias?: boolean;
  /** Parameter dtype (default 'float32'), like PyTorch's `dtype=` factory argument. */
  dtype?: FloatDType;
}

/**
 * An affine map y = x Wᵀ + b over the last dim, with PyTorch's layout (weight [out, in]) and init
 * (kaiming-uniform with a = √5, i.e. W, b ~ U(−1/√in, 1/√in)).
 * @example new Linear(512, 256).forward(randn([8, 512])).shape // [8, 256]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const dtype = options.dtype ?? 'float32';
    this.weight = this.param(
      'weight',
      kaimingUniform_(zeros([outFeatures, inFeatures], { dtype }), { a: Math.sqrt(5) }),
    );
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias =
      (options.bias ?? true)
        ? this.param('bias', uniform_(zeros([outFeatures], { dtype }), -bound, bound))
        : null;
  }

  forward(x: Tensor): Tensor {
    const last = x.shape[x.ndim - 1];
    if (x.ndim === 0 || last !== this.inFeatures) {
      throw new ShapeError(
        `linear: input last dim must equal inFeatures (expected ${this.inFeatures}, got ${x.ndim === 0 ? 'a 0-d tensor' : last})`,
      );
    }
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
