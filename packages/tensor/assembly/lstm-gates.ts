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

/**
 * The four units at byte offset `k` (a multiple of 16 into each block) of one row: gate blocks, the c half of the
 * output and the saved blocks are `hb` bytes apart. Exported for lstm-sequence.ts, which runs a range of units.
 */
export function units(
  gRow: usize,
  cRow: usize,
  oRow: usize,
  sRow: usize,
  hb: usize,
  k: usize,
  save: bool,
): void {
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

/** 1 − t² as (1 − t)(1 + t): 1 − t is exact near saturation (|t| ≥ ½), where t·t rounded would lose 1 − t². */
function oneMinusSquare(t: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.mul(f32x4.sub(one, t), f32x4.add(one, t));
}

/**
 * The vector-Jacobian product of lstmCellGates, from dhc [B, 2H] = [dh | dc] (row stride dRow elements, columns
 * contiguous), the saved activations [B, 5H] (σ(i), σ(f), tanh(g), σ(o), tanh(c), contiguous) and cPrev [B, H]
 * (row stride cRow): with dc' = dc + dh·σ(o)·(1 − tanh²c),
 * dGates = [dc'·tanh(g)·σ'(i), dc'·cPrev·σ'(f), dc'·σ(i)·(1 − tanh²g), dh·tanh(c)·σ'(o)] and dcPrev = dc'·σ(f).
 * dGates [B, 4H] and dcPrev [B, H] are contiguous; an address of 0 skips that output. `hidden` is a multiple of 4.
 */
export function lstmCellGatesBackward(
  batch: i32,
  hidden: i32,
  dhc: usize,
  dRow: i32,
  saved: usize,
  cPrev: usize,
  cRow: i32,
  dGates: usize,
  dcPrev: usize,
): void {
  const hb = <usize>hidden * 4;
  for (let b = 0; b < batch; b++) {
    const d = dhc + <usize>(b * dRow) * 4;
    const s = saved + <usize>b * 5 * hb;
    const c = cPrev + <usize>(b * cRow) * 4;
    const gOut = dGates + <usize>b * 4 * hb;
    const cOut = dcPrev + <usize>b * hb;
    for (let k: usize = 0; k < hb; k += 16)
      unitsBackward(d, s, c, gOut, cOut, hb, k, dGates !== 0, dcPrev !== 0);
  }
}

/**
 * lstmCellGatesBackward for the four units at byte offset `k` of one row (blocks `hb` bytes apart, as in units):
 * d = [dh | dc], s the saved activations, c = cPrev; writes the four dGates blocks at gOut and dcPrev at cOut.
 */
export function unitsBackward(
  d: usize,
  s: usize,
  c: usize,
  gOut: usize,
  cOut: usize,
  hb: usize,
  k: usize,
  gates: bool,
  cell: bool,
): void {
  const one = f32x4.splat(1);
  const i = v128.load(s + k);
  const f = v128.load(s + hb + k);
  const g = v128.load(s + 2 * hb + k);
  const o = v128.load(s + 3 * hb + k);
  const tc = v128.load(s + 4 * hb + k);
  const dh = v128.load(d + k);
  const dc = f32x4.add(v128.load(d + hb + k), f32x4.mul(f32x4.mul(dh, o), oneMinusSquare(tc)));
  if (gates) {
    v128.store(gOut + k, f32x4.mul(f32x4.mul(f32x4.mul(dc, g), i), f32x4.sub(one, i)));
    v128.store(gOut + hb + k, f32x4.mul(f32x4.mul(f32x4.mul(dc, v128.load(c + k)), f), f32x4.sub(one, f)));
    v128.store(gOut + 2 * hb + k, f32x4.mul(f32x4.mul(dc, i), oneMinusSquare(g)));
    v128.store(gOut + 3 * hb + k, f32x4.mul(f32x4.mul(f32x4.mul(dh, tc), o), f32x4.sub(one, o)));
  }
  if (cell) v128.store(cOut + k, f32x4.mul(dc, f));
}
