/** @file What RNNCell, LSTMCell and GRUCell share: PyTorch's parameters and init, input checks, one step. */
import { Module } from '@tensorloom/nn';
import { type FloatDType, ShapeError, type Tensor, zeros } from '@tensorloom/tensor';
import { checkFloatDType, checkInteger, checkShape, formatShape } from '../checks.js';
import { projectInput, type Recurrence, stepBias } from '../recurrence.js';
import { registerGateWeights } from '../weights.js';

export interface CellOptions {
  /** Adds the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Parameter dtype (default 'float32'), like PyTorch's `dtype=` factory argument. */
  dtype?: FloatDType;
}

/**
 * A single recurrent step as a module, with parameters `weight_ih` [G·H, in], `weight_hh` [G·H, H], `bias_ih`,
 * `bias_hh` [G·H], all ~ U(−1/√H, 1/√H). Inputs are [B, in] or unbatched [in], states [B, H] or [H].
 */
export abstract class RNNCellBase extends Module {
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
  readonly bias: boolean;

  protected constructor(
    private readonly op: string,
    private readonly recurrence: Recurrence,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: CellOptions,
  ) {
    super();
    checkInteger(op, 'inputSize', inputSize, 1);
    checkInteger(op, 'hiddenSize', hiddenSize, 1);
    const dtype = options.dtype ?? 'float32';
    checkFloatDType(op, dtype);
    this.bias = options.bias ?? true;
    const w = registerGateWeights((name, t) => this.param(name, t), recurrence, {
      inputSize,
      hiddenSize,
      bias: this.bias,
      dtype,
    });
    this.weightIh = w.weightIh;
    this.weightHh = w.weightHh;
    this.biasIh = w.biasIh;
    this.biasHh = w.biasHh;
  }

  /** The next states from x [B, in] | [in] and the states [B, H] | [H] (zeros when null), same batching. */
  protected cellForward(
    x: Tensor,
    states: readonly Tensor[] | null,
    stateNames: readonly string[],
  ): Tensor[] {
    const { op, inputSize, hiddenSize } = this;
    if (x.ndim !== 1 && x.ndim !== 2) {
      throw new ShapeError(
        `${op}: input must be 2-D [B, inputSize] or 1-D [inputSize] (got ${formatShape(x.shape)})`,
      );
    }
    if (x.shape[x.ndim - 1] !== inputSize) {
      throw new ShapeError(
        `${op}: input last dim must equal inputSize (expected ${inputSize}, got ${x.shape[x.ndim - 1]}; input ${formatShape(x.shape)})`,
      );
    }
    const batched = x.ndim === 2;
    const input = batched ? x : x.unsqueeze(0); // [B, in]
    const batch = input.shape[0];
    const expected = batched ? [batch, hiddenSize] : [hiddenSize];
    for (const [k, s] of (states ?? []).entries()) checkShape(op, stateNames[k], s, expected);
    const state = states
      ? states.map((s) => (batched ? s : s.unsqueeze(0))) // k × [B, H]
      : stateNames.map(() => zeros([batch, hiddenSize], { dtype: x.dtype })); // k × [B, H]
    const gx = projectInput(this.recurrence, input, this); // [B, G·H]
    const next = this.recurrence.step(gx, state, this.weightHh.t(), stepBias(this.recurrence, this)); // k × [B, H]
    return batched ? next : next.map((s) => s.squeeze(0)); // k × [B, H] | k × [H]
  }

  protected override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'}`;
  }
}
