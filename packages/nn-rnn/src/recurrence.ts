/**
 * @file The three recurrences, one time step each, written once and shared by the cells and the layers. A step
 * starts from gx = x W_ihᵀ + b, the input's share of the gates, which the layers compute for every time step
 * in one matmul before the time loop; the step adds the recurrent share h W_hhᵀ (one matmul) and applies the
 * gates. Gate blocks are packed along the last dim in PyTorch's order. LSTM and GRU apply their gates with the
 * tensor package's fused primitives (lstmCellGates, gruCellGates): one kernel forward and one backward per step
 * instead of ten small ops, which took most of an LSTM layer's time.
 */
import { gruCellGates, lstmCellGates, lstmSequence, type Tensor } from '@tensorloom/tensor';

/** The weights of one cell, or of one layer in one direction, by PyTorch's layout. */
export interface GateWeights {
  /** W_ih [G·H, in], the gate blocks stacked (G = 1 RNN, 4 LSTM, 3 GRU). */
  readonly weightIh: Tensor;
  /** W_hh [G·H, H] */
  readonly weightHh: Tensor;
  /** b_ih [G·H] */
  readonly biasIh: Tensor | null;
  /** b_hh [G·H] */
  readonly biasHh: Tensor | null;
}

export interface Recurrence {
  /** Gate blocks packed in the weights: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n). */
  readonly gates: number;
  /** State tensors carried between steps: 1 ([h]) or 2 ([h, c]); state[0] is the step's output. */
  readonly states: number;
  /** Whether b_hh enters the gates linearly, so it can join b_ih in gx once instead of once per step. */
  readonly foldsHiddenBias: boolean;
  /** One step: gx [B, G·H], state[k] [B, H], W_hhᵀ [H, G·H], b_hh (only when not folded) → next state. */
  step(gx: Tensor, state: readonly Tensor[], whhT: Tensor, bhh: Tensor | null): Tensor[];
  /**
   * The whole time loop in one primitive, where the tensor package has one (LSTM): gx [T, B, G·H] time-major
   * (x·W_ihᵀ; the bias comes in the options, and the primitive adds it per step without a [T, B, G·H] sum),
   * state0 k × [B, H] and W_hh [G·H, H] → every step's output [T, B, H] and the final states k × [B, H], with
   * the semantics of the layers' step-by-step loop (layers/scan.ts), padded steps included.
   */
  sequence?(
    gx: Tensor,
    state0: readonly Tensor[],
    weightHh: Tensor,
    options: SequenceLoopOptions,
  ): SequenceLoop;
}

export interface SequenceLoopOptions {
  /** Runs from the last step to the first. */
  reverse: boolean;
  /** One length per batch row (null: no padding). */
  lengths: readonly number[] | null;
  /** [G·H] added to every step's gates (gx is then x·W_ihᵀ alone), or null. */
  bias: Tensor | null;
}

export interface SequenceLoop {
  /** h_t for every step, [T, B, H] (a view). */
  outputs: Tensor;
  /** The states after each row's last real step, k × [B, H]. */
  final: Tensor[];
}

/** Elman RNN: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu. */
export function elman(nonlinearity: 'tanh' | 'relu'): Recurrence {
  return {
    gates: 1,
    states: 1,
    foldsHiddenBias: true,
    step(gx, [h], whhT) {
      const pre = gx.add(h.matmul(whhT)); // [B, H]
      return [nonlinearity === 'tanh' ? pre.tanh() : pre.relu()]; // [B, H]
    },
  };
}

/**
 * LSTM (Hochreiter & Schmidhuber, 1997; forget gate: Gers et al., 2000), gates packed (i, f, g, o):
 * i, f, o = σ(·), g = tanh(·); c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
 */
export const lstm: Recurrence = {
  gates: 4,
  states: 2,
  foldsHiddenBias: true,
  step(gx, [h, c], whhT) {
    const hidden = c.shape[1];
    const gates = gx.add(h.matmul(whhT)); // [B, 4H]
    const hc = lstmCellGates(gates, c); // [B, 2H] = [h' | c']
    return [hc.narrow(1, 0, hidden), hc.narrow(1, hidden, hidden)]; // 2 × [B, H], views
  },
  // One kernel call for the whole loop: W_hh, the states and the activations stay in place across steps.
  sequence(gx, [h0, c0], weightHh, { reverse, lengths, bias }) {
    const hidden = h0.shape[1];
    const states = lstmSequence(gx, h0, c0, weightHh, { reverse, lengths, bias }); // [T, B, 2H] = [h | c]
    const last = states.select(0, reverse ? 0 : states.shape[0] - 1); // [B, 2H]
    return {
      outputs: states.narrow(2, 0, hidden), // [T, B, H]
      final: [last.narrow(1, 0, hidden), last.narrow(1, hidden, hidden)], // 2 × [B, H]
    };
  },
};

/**
 * GRU (Cho et al., 2014) in PyTorch's variant, gates packed (r, z, n): r, z = σ(·);
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h. b_hn sits inside r ⊙ (…), so b_hh
 * is added per step, not folded into gx.
 */
export const gru: Recurrence = {
  gates: 3,
  states: 1,
  foldsHiddenBias: false,
  step(gx, [h], whhT, bhh) {
    const hidden = h.matmul(whhT); // [B, 3H]
    const gh = bhh ? hidden.add(bhh) : hidden; // [B, 3H]
    return [gruCellGates(gx, gh, h)]; // [B, H]
  },
};

/** gx = x W_ihᵀ + b_ih (+ b_hh when the recurrence folds it): x [N, in] → [N, G·H], one matmul for all N rows. */
export function projectInput(rec: Recurrence, x: Tensor, w: GateWeights): Tensor {
  const gx = x.matmul(w.weightIh.t()); // [N, G·H]
  const bias = inputBias(rec, w); // [G·H]
  return bias ? gx.add(bias) : gx; // [N, G·H]
}

/** The bias that enters the gates with x·W_ihᵀ: b_ih, plus b_hh when the recurrence folds it; null without. */
export function inputBias(rec: Recurrence, w: GateWeights): Tensor | null {
  if (!w.biasIh) return null;
  return rec.foldsHiddenBias && w.biasHh ? w.biasIh.add(w.biasHh) : w.biasIh; // [G·H]
}

/** The b_hh a step still has to add itself (null when it was folded into gx). */
export function stepBias(rec: Recurrence, w: GateWeights): Tensor | null {
  return rec.foldsHiddenBias ? null : w.biasHh;
}
