/** @file From the encoder's final states to the decoder's initial states. */
import { Linear, Module } from '@tensorloom/nn';
import { type FloatDType, type Tensor, TensorloomError, zeros } from '@tensorloom/tensor';
import type { CellType, RecurrentState } from './state.js';

/**
 * How the encoder's final states become the decoder's initial states.
 * - 'auto' (default): 'identity' when they fit as they are (unidirectional encoder, same layers and hidden
 *   size; Sutskever et al.'s setup), else 'linear'.
 * - 'identity': passed through; the shapes must fit.
 * - 'linear': each state (h, and c for an LSTM) is flattened over the encoder's layers and directions and
 *   mapped by its own Linear + tanh: [L_e·D, B, H_e] → [B, L_e·D·H_e] → tanh(· Wᵀ + b) → [L_d, B, H_d]
 *   (OpenNMT's bridge, with tanh). This covers bidirectional encoders and any difference in layers or sizes.
 * - 'zeros': the decoder starts from zeros (information then flows through attention only).
 */
export type BridgeMode = 'auto' | 'identity' | 'linear' | 'zeros';

/** The shape of one side's state stack. */
export interface StateShape {
  cell: CellType;
  /** L·D: layers times directions. */
  stacked: number;
  hiddenSize: number;
}

/**
 * Maps the encoder's final states h (and c) [L_e·D, B, H_e] to the decoder's initial ones [L_d, B, H_d].
 * State-dict keys: `hidden.weight`, `hidden.bias` (and `cell.*` for LSTMs) in 'linear' mode, none otherwise.
 */
export class Seq2SeqBridge extends Module {
  /** The resolved mode ('auto' decided at construction). */
  readonly mode: Exclude<BridgeMode, 'auto'>;
  readonly hidden: Linear | null = null;
  readonly cell: Linear | null = null;

  constructor(
    readonly source: StateShape,
    readonly target: StateShape,
    mode: BridgeMode = 'auto',
    dtype: FloatDType = 'float32',
  ) {
    super();
    const op = 'seq2seqBridge';
    if (source.cell !== target.cell) {
      throw new TensorloomError(
        `${op}: encoder and decoder must use the same cell (encoder '${source.cell}', decoder '${target.cell}')`,
      );
    }
    if (!['auto', 'identity', 'linear', 'zeros'].includes(mode)) {
      throw new TensorloomError(
        `${op}: bridge must be 'auto', 'identity', 'linear' or 'zeros' (got '${mode}')`,
      );
    }
    const fits = source.stacked === target.stacked && source.hiddenSize === target.hiddenSize;
    if (mode === 'identity' && !fits) {
      throw new TensorloomError(
        `${op}: 'identity' needs equal state shapes (encoder [L·D = ${source.stacked}, B, H = ${source.hiddenSize}], decoder [L = ${target.stacked}, B, H = ${target.hiddenSize}]); use 'linear'`,
      );
    }
    this.mode = mode === 'auto' ? (fits ? 'identity' : 'linear') : mode;
    if (this.mode === 'linear') {
      const inFeatures = source.stacked * source.hiddenSize;
      const outFeatures = target.stacked * target.hiddenSize;
      this.hidden = this.module('hidden', new Linear(inFeatures, outFeatures, { dtype }));
      if (source.cell === 'lstm')
        this.cell = this.module('cell', new Linear(inFeatures, outFeatures, { dtype }));
    }
  }

  /** The encoder's final states [L_e·D, B, H_e] → the decoder's initial states [L_d, B, H_d]. */
  forward(state: RecurrentState): RecurrentState {
    if (this.mode === 'identity') return state;
    const batch = state.hidden.shape[1];
    const { stacked, hiddenSize } = this.target;
    if (this.mode === 'zeros') {
      const zero = () => zeros([stacked, batch, hiddenSize], { dtype: state.hidden.dtype }); // [L_d, B, H_d]
      return { hidden: zero(), cell: state.cell ? zero() : null };
    }
    const map = (linear: Linear, s: Tensor) => {
      const flat = s.permute([1, 0, 2]).reshape([batch, -1]); // [B, L_e·D·H_e]
      const mapped = linear.forward(flat).tanh(); // [B, L_d·H_d]
      return mapped.reshape([batch, stacked, hiddenSize]).permute([1, 0, 2]); // [L_d, B, H_d]
    };
    const hidden = map(this.hidden as Linear, state.hidden); // [L_d, B, H_d]
    const cell = state.cell && this.cell ? map(this.cell, state.cell) : null; // [L_d, B, H_d]
    return { hidden, cell };
  }

  protected override extraRepr(): string {
    return `mode='${this.mode}'`;
  }
}
