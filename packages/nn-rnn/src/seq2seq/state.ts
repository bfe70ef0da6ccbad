/**
 * @file What passes between encoder, bridge and decoder: the recurrent state, the attention memory and the
 * attention hook, plus the one place that runs an LSTM or a GRU layer with that state.
 */
import { Module } from '@tensorloom/nn';
import { ShapeError, type Tensor, TensorloomError } from '@tensorloom/tensor';
import { checkShape, formatShape } from '../checks.js';
import { GRU } from '../layers/gru.js';
import { LSTM } from '../layers/lstm.js';
import type { RecurrentOptions } from '../layers/recurrent-base.js';

/** The recurrent cell of an encoder or decoder. */
export type CellType = 'lstm' | 'gru';

/** The state of a stack of recurrent layers: h [L·D, B, H] and, for an LSTM, c [L·D, B, H] (null for a GRU). */
export interface RecurrentState {
  hidden: Tensor;
  cell: Tensor | null;
}

/** What the decoder attends over: the encoder's outputs and which source positions are real tokens. */
export interface AttentionMemory {
  /** The encoder outputs [B, S, D·H] (the keys, and the values the context is drawn from). */
  keys: Tensor;
  /** [B, S] bool, true at real source tokens; null when no position is padding. */
  mask: Tensor | null;
}

/**
 * The hook through which a decoder attends: any object with this shape (a Module, e.g. from nn-attention,
 * is registered as the decoder's `attention` submodule, so its parameters train and save with the decoder).
 * `forward(query [B, H], keys [B, S, D·H], mask [B, S] | null) → [context [B, C], weights [B, S]]`, where the
 * weights are a distribution over the real source positions (0 where mask is false) and C = `contextSize`.
 * @example
 * // Luong's dot score: weights = softmax(keys · query), context = weightsᵀ keys (needs H = D·H_enc).
 * const dot: DecoderAttention = {
 *   contextSize: 64,
 *   forward(query, keys, mask) {
 *     const scores = keys.matmul(query.unsqueeze(-1)).squeeze(-1); // [B, S]
 *     const weights = (mask ? scores.maskedFill(mask.logicalNot(), -Infinity) : scores).softmax(-1); // [B, S]
 *     return [weights.unsqueeze(1).matmul(keys).squeeze(1), weights]; // [B, C], [B, S]
 *   },
 * };
 */
export interface DecoderAttention {
  /** C: the width of the context vector. */
  readonly contextSize: number;
  forward(query: Tensor, keys: Tensor, mask: Tensor | null): [Tensor, Tensor];
}

/** Whether `attention` is a Module (to be registered as a submodule) rather than a plain object. */
export function isModule(attention: DecoderAttention): attention is DecoderAttention & Module {
  return attention instanceof Module;
}

export function checkCell(op: string, cell: string): void {
  if (cell !== 'lstm' && cell !== 'gru') {
    throw new TensorloomError(`${op}: cell must be 'lstm' or 'gru' (got '${cell}')`);
  }
}

/** Throws unless `state` is a `cell` state whose tensors have the shape `expected` ([L·D, B, H]). */
export function checkState(
  op: string,
  state: RecurrentState,
  cell: CellType,
  expected: readonly number[],
): void {
  checkShape(op, 'state.hidden', state.hidden, expected);
  if (cell === 'lstm') {
    if (!state.cell)
      throw new TensorloomError(`${op}: an LSTM state needs state.cell ${formatShape(expected)}`);
    checkShape(op, 'state.cell', state.cell, expected);
  } else if (state.cell) {
    throw new ShapeError(
      `${op}: a GRU state has no cell (got state.cell ${formatShape(state.cell.shape)}); pass cell: null`,
    );
  }
}

/** Runs a batch-first LSTM or GRU: x [B, T, in] from `state` (zeros when null) → [output [B, T, D·H], state]. */
export function runRecurrent(
  rnn: LSTM | GRU,
  x: Tensor,
  state: RecurrentState | null,
  lengths: readonly number[] | null = null,
): [Tensor, RecurrentState] {
  if (rnn instanceof LSTM) {
    const initial = state ? ([state.hidden, state.cell as Tensor] as const) : null;
    const [output, [hidden, cell]] = rnn.forward(x, initial, { lengths }); // [B, T, D·H], 2 × [L·D, B, H]
    return [output, { hidden, cell }];
  }
  const [output, hidden] = rnn.forward(x, state?.hidden ?? null, { lengths }); // [B, T, D·H], [L·D, B, H]
  return [output, { hidden, cell: null }];
}

/** A batch-first LSTM or GRU stack. */
export function makeRecurrent(cell: CellType, options: RecurrentOptions): LSTM | GRU {
  const config = { ...options, batchFirst: true };
  return cell === 'lstm' ? new LSTM(config) : new GRU(config);
}
