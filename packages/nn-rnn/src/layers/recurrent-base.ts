/**
 * @file What RNN, LSTM and GRU share: PyTorch's per-layer, per-direction parameters and init, input and state
 * checks, and the forward pass over layers, directions and time, with variable lengths and inter-layer dropout.
 */
import { Module } from '@tensorloom/nn';
import {
  cat,
  dropout,
  type FloatDType,
  type Generator,
  ShapeError,
  stack,
  type Tensor,
  TensorloomError,
  where,
  zeros,
} from '@tensorloom/tensor';
import { checkFloatDType, checkInteger, checkShape, formatShape } from '../checks.js';
import { type GateWeights, inputBias, projectInput, type Recurrence, stepBias } from '../recurrence.js';
import { registerGateWeights } from '../weights.js';
import { checkLengths, type Lengths, type StepMasks, stepMasks } from './lengths.js';
import { scan } from './scan.js';

/** The configuration of a recurrent layer; defaults as in PyTorch. */
export interface RecurrentOptions {
  /** Features per input step (`in`). */
  inputSize: number;
  /** Features of the hidden state (H). */
  hiddenSize: number;
  /** Stacked layers; layer l > 0 reads layer l − 1's output (default 1). */
  numLayers?: number;
  /** Adds the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [B, T, ·] instead of [T, B, ·]; states stay [L·D, B, H] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode only (default 0). */
  dropout?: number;
  /** Adds a second direction reading the sequence backwards; outputs are [forward, backward] (default false). */
  bidirectional?: boolean;
  /** Draws the dropout masks (default: the global stream seeded by manualSeed). */
  generator?: Generator;
  /** Parameter dtype (default 'float32'), like PyTorch's `dtype=` factory argument. */
  dtype?: FloatDType;
}

export interface SequenceOptions {
  /**
   * The real length of each batch element (int32 tensor [B] or numbers, in any order, each in [1, T]); steps
   * past it are padding: they do not change the final states, get no gradient and give zeros in the output,
   * as with PyTorch's pack_padded_sequence(…, enforce_sorted=False) → layer → pad_packed_sequence.
   */
  lengths?: Lengths | null;
}

export abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** The weights of layer l, direction d at index l · numDirections + d (PyTorch's all_weights). */
  readonly allWeights: readonly GateWeights[];
  private readonly generator: Generator | undefined;

  protected constructor(
    private readonly op: string,
    private readonly recurrence: Recurrence,
    options: RecurrentOptions,
  ) {
    super();
    const { inputSize, hiddenSize, numLayers = 1, dropout: p = 0, dtype = 'float32' } = options;
    checkInteger(op, 'inputSize', inputSize, 1);
    checkInteger(op, 'hiddenSize', hiddenSize, 1);
    checkInteger(op, 'numLayers', numLayers, 1);
    checkFloatDType(op, dtype);
    if (!(p >= 0 && p <= 1)) throw new TensorloomError(`${op}: dropout must be in [0, 1] (got ${p})`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = options.bidirectional ?? false;
    this.generator = options.generator;
    const weights: GateWeights[] = [];
    for (let layer = 0; layer < numLayers; layer++) {
      const layerInput = layer === 0 ? inputSize : hiddenSize * this.numDirections;
      for (let d = 0; d < this.numDirections; d++) {
        const spec = { inputSize: layerInput, hiddenSize, bias: this.bias, dtype };
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        weights.push(registerGateWeights((name, t) => this.param(name, t), recurrence, spec, suffix));
      }
    }
    this.allWeights = weights;
  }

  /** 2 when bidirectional, else 1 (D). */
  get numDirections(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * The forward pass: input [T, B, in] ([B, T, in] with batchFirst, or unbatched [T, in]) and initial states
   * k × [L·D, B, H] ([L·D, H] unbatched; zeros when null) → output [T, B, D·H] and final states k × [L·D, B, H].
   */
  protected run(
    input: Tensor,
    initial: readonly Tensor[] | null,
    stateNames: readonly string[],
    options: SequenceOptions,
  ): [Tensor, Tensor[]] {
    const { op, hiddenSize, numLayers, numDirections, batchFirst } = this;
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(
        `${op}: input must be 3-D [${batchFirst ? 'B, T' : 'T, B'}, inputSize] or 2-D [T, inputSize] (got ${formatShape(input.shape)})`,
      );
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(
        `${op}: input last dim must equal inputSize (expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}; input ${formatShape(input.shape)})`,
      );
    }
    const timeDim = batchFirst ? 1 : 0;
    const batched = input.ndim === 3;
    const x = batched ? input : input.unsqueeze(1 - timeDim); // [T, B, in] | [B, T, in]
    const [steps, batch] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    if (steps === 0)
      throw new ShapeError(`${op}: input must have at least one time step (got ${formatShape(input.shape)})`);

    const stacked = numLayers * numDirections;
    const expected = batched ? [stacked, batch, hiddenSize] : [stacked, hiddenSize];
    for (const [k, s] of (initial ?? []).entries()) checkShape(op, stateNames[k], s, expected);
    const states = initial && !batched ? initial.map((s) => s.unsqueeze(1)) : initial; // k × [L·D, B, H]
    const lengths = options.lengths == null ? null : checkLengths(op, options.lengths, steps, batch);
    const masks = lengths ? stepMasks(lengths, steps, batchFirst) : null;

    let layerInput = x; // [T, B, in] | [B, T, in]
    const finals: Tensor[][] = stateNames.map(() => []); // k × L·D × [B, H]
    for (let layer = 0; layer < numLayers; layer++) {
      const rows = layerInput.reshape([steps * batch, layerInput.shape[2]]); // [T·B, in]
      const directions: Tensor[] = [];
      for (let d = 0; d < numDirections; d++) {
        const index = layer * numDirections + d;
        const w = this.allWeights[index];
        const state0 = states
          ? states.map((s) => s.select(0, index)) // k × [B, H]
          : stateNames.map(() => zeros([batch, hiddenSize], { dtype: x.dtype })); // k × [B, H]
        const [output, final] = this.direction(rows, layerInput.shape, w, state0, d === 1, lengths, masks);
        directions.push(output); // [T, B, H] | [B, T, H]
        final.forEach((s, k) => {
          finals[k].push(s);
        });
      }
      layerInput = numDirections === 1 ? directions[0] : cat(directions, -1); // [T, B, D·H]
      if (this.dropout > 0 && layer < numLayers - 1) {
        layerInput = dropout(layerInput, {
          p: this.dropout,
          training: this.training,
          generator: this.generator,
        }); // [T, B, D·H]
      }
    }
    // Padded steps hold carried-over states; the output shows zeros there, as pad_packed_sequence does.
    const padded = masks ? where(masks.sequence, layerInput, 0) : layerInput; // [T, B, D·H]
    const output = batched ? padded : padded.squeeze(1 - timeDim); // [T, B, D·H] | [T, D·H]
    const last = finals.map((list) => stack(list, 0)); // k × [L·D, B, H]
    return [output, batched ? last : last.map((s) => s.squeeze(1))]; // k × [L·D, B, H] | k × [L·D, H]
  }

  /**
   * One layer in one direction: rows [T·B, in] of the layer input (shaped `inputShape`, [T, B, ·] or [B, T, ·]),
   * its weights and initial states → the outputs in the input's layout and the final states.
   */
  private direction(
    rows: Tensor,
    inputShape: readonly number[],
    w: GateWeights,
    state0: readonly Tensor[],
    reverse: boolean,
    lengths: readonly number[] | null,
    masks: StepMasks | null,
  ): [Tensor, Tensor[]] {
    const { recurrence: rec, batchFirst } = this;
    const layout = [inputShape[0], inputShape[1], -1]; // [T, B, ·] | [B, T, ·]
    const steps = inputShape[batchFirst ? 1 : 0];
    // The fused loop for a sequence; a single step (a decoder fed one token at a time) keeps the step path,
    // whose W_hh gradients autograd pools across the calls into one product.
    if (rec.sequence && steps > 1) {
      const gx = rows.matmul(w.weightIh.t()).reshape(layout); // x·W_ihᵀ alone, [T, B, G·H] | [B, T, G·H]
      const timeMajor = batchFirst ? gx.transpose(0, 1) : gx; // [T, B, G·H]
      const bias = inputBias(rec, w); // [G·H]
      const { outputs, final } = rec.sequence(timeMajor, state0, w.weightHh, { reverse, lengths, bias });
      return [batchFirst ? outputs.transpose(0, 1) : outputs, final]; // [T, B, H] | [B, T, H]
    }
    const timeDim = batchFirst ? 1 : 0;
    const gx = projectInput(rec, rows, w).reshape(layout); // [T, B, G·H] | [B, T, G·H]
    // One W_hhᵀ view for all steps: autograd sums its T gradients as one product, not T products + additions.
    const { outputs, final } = scan(rec, gx, state0, w.weightHh.t(), stepBias(rec, w), {
      timeDim,
      reverse,
      masks: masks?.perStep ?? null,
    });
    return [stack(outputs, timeDim), final]; // [T, B, H] | [B, T, H]
  }

  protected override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    return parts.join(', ');
  }
}
