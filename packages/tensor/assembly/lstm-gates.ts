/**
 * @file The LSTM cell's gate nonlinearities, four hidden units at a time in f32x4 lanes.
 *
 * The portable kernel spends ~60 ns per hidden unit in Math.exp and Math.tanh (three sigmoids and two tanh
 * each); profiled, that was a sixth of an LSTM layer's training step. Here exp is Cephes' expf (a degree-5
 * polynomial after range reduction, within 2 ulp of the correctly rounded float32) and tanh is Cephes' tanhf
 * (a polynomial below 0.625, 1 − 2/(e^{2|x|} + 1) above), both branch-free over the four lanes (vector-math.ts).
 *
 * Rows: gates [B, 4H] (blocks i, f, g, o) and cPrev [B, H] with the given row strides in elements, columns
 * contiguous; out [B, 2H] = [h | c] and saved [B, 5H] = σ(i), σ(f), tanh(g), σ(o), tanh(c) contiguous.
 */

import { mulAdd, sigmoid4, tanh4 } from './vector-math';

/** The four units at byte offset `k` (a multiple of 16 into each block) of one row. */
function units(gRow: usize, cRow: usize, oRow: usize, sRow: usize, hb: usize, k: usize, save: bool): void {
  const i = sigmoid4(v128.load(gRow + k));
  const f = sigmoid4(v128.load(gRow + hb + k));
  const g = tanh4(v128.load(gRow + 2 * hb + k));
  const o = sigmoid4(v128.load(gRow + 3 * hb + k));
  const c = mulAdd(f, v128.load(cRow + k), f32x4.mul(i, g));
  const tc = tanh4(c);
  v128.store(oRow + k, f32x4.mul(o, tc));
  v128.store(oRow + hb + k, c);
  if (save) {
    v128.store(sRow + k, i);
    v128.store(sRow + hb + k, f);
    v128.store(sRow + 2 * hb + k, g);
    v128.store(sRow + 3 * hb + k, o);
    v128.store(sRow + 4 * hb + k, tc);
  }
}

/**
 * c = σ(f)·cPrev + σ(i)·tanh(g), h = σ(o)·tanh(c) for `batch` rows of `hidden` units; pointers are byte
 * addresses, gRow and cRow row strides in elements; saved = 0 keeps no activations. `hidden` must be a multiple
 * of 4 (the caller takes the portable kernel otherwise).
 */
export function lstmCellGates(
  batch: i32,
  hidden: i32,
  gates: usize,
  gRow: i32,
  cPrev: usize,
  cRow: i32,
  out: usize,
  saved: usize,
): void {
  const hb = <usize>hidden * 4;
  const save = saved !== 0;
  for (let b = 0; b < batch; b++) {
    const g = gates + <usize>(b * gRow) * 4;
    const c = cPrev + <usize>(b * cRow) * 4;
    const o = out + <usize>b * 2 * hb;
    const s = saved + <usize>b * 5 * hb;
    for (let k: usize = 0; k < hb; k += 16) units(g, c, o, s, hb, k, save);
  }
}
