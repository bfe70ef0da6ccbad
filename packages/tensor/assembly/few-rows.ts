/**
 * @file C = A · Wᵀ (B column-major, as every Linear and recurrent layer multiplies) for products of few rows (a
 * recurrent step's h·W_hhᵀ, a decoder step's projections), with W [n, k] read in place instead of packed.
 *
 * The product is computed as its transpose Cᵀ = W · Aᵀ: W's rows, contiguous along k, stream straight into the
 * micro-kernel as its broadcast operand (four rows at a time, four sequential streams), only Aᵀ is packed (kc × 64
 * at most, it stays in L2), and the 4 × 8 tiles of Cᵀ are transposed in registers and stored as rows of C. With
 * few rows, each packed sliver of W would serve at most 16 tiles, so packing it is most of the copying: this path
 * measured 4–9% faster than the packed loop nest for 32 and 64 rows ([32, 768]·[768, 2048]ᵀ 2.00 → 1.84 ms).
 *
 * Every element is the same sum, in the same order and the same depth blocks, as in the packed loop nest (x·w and
 * w·x are the same float product), so results are bit-identical to it.
 */
import { packPanel } from './pack';
import { madd } from './simd';
import { KC, NR, WORK_B } from './tiles';

/**
 * C[m×n] = A[m×k] · B[k×n] for B = Wᵀ column-major (B's (p, j) at b + 4·(p + j·bCol)), n a multiple of 4;
 * A's (i, p) at a + 4·(i·aRow + p·aCol), C's (i, j) at c + 4·(i·ldc + j). `work` as in matmul.
 */
export function fewRowsTimesTransposed(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bCol: i32,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  const bp = work + WORK_B;
  const lda = <usize>bCol * 4; // bytes between W's rows
  const ldcBytes = <usize>ldc * 4;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    // Aᵀ's kc × m block as NR-wide slivers (rows of A are its lanes), zero-padded past m.
    packPanel(bp, NR, a + <usize>(pc * aCol * 4), aRow, aCol, m, kc);
    const accumulate = pc > 0;
    for (let i = 0; i < n; i += 4) {
      const wRows = b + <usize>(pc + i * bCol) * 4;
      for (let j = 0; j < m; j += NR) {
        const sliver = bp + <usize>(j * kc * 4);
        const cTile = c + <usize>(j * ldc + i) * 4;
        tile(kc, wRows, lda, sliver, cTile, ldcBytes, min(NR, m - j), accumulate);
      }
    }
  }
}

/**
 * Four rows of W (at `w`, `lda` bytes apart, read along k) times one packed sliver of Aᵀ (kc steps × NR lanes):
 * the 4 × NR tile of Cᵀ, written (or added) to C as `rows` ≤ NR rows of four values at `c`, row stride `ldc`.
 * Its loop repeats micro-kernel.ts's on purpose: one function for both, with a flag for the store layout, ran
 * both at 48 instead of 57 GFLOPS (V8 compiles the loop worse once the function grows).
 */
function tile(
  kc: i32,
  w: usize,
  lda: usize,
  sliver: usize,
  c: usize,
  ldc: usize,
  rows: i32,
  accumulate: bool,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  const w1 = w + lda;
  const w2 = w1 + lda;
  const w3 = w2 + lda;
  let bp = sliver;
  const end = <usize>kc * 4;
  for (let p: usize = 0; p < end; p += 4) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(w + p);
    c00 = madd(c00, x, b0);
    c01 = madd(c01, x, b1);
    x = v128.load32_splat(w1 + p);
    c10 = madd(c10, x, b0);
    c11 = madd(c11, x, b1);
    x = v128.load32_splat(w2 + p);
    c20 = madd(c20, x, b0);
    c21 = madd(c21, x, b1);
    x = v128.load32_splat(w3 + p);
    c30 = madd(c30, x, b0);
    c31 = madd(c31, x, b1);
    bp += NR * 4;
  }
  // c_r0 holds Cᵀ row r (C's column i + r) at C rows j … j + 3, c_r1 at j + 4 … j + 7: transpose each 4 × 4 half.
  storeRows(c00, c10, c20, c30, c, ldc, min(rows, 4), accumulate);
  if (rows > 4) storeRows(c01, c11, c21, c31, c + 4 * ldc, ldc, rows - 4, accumulate);
}

/** Transposes four column vectors (v_r = column r of a 4 × 4 block) and writes the first `rows` rows to C. */
function storeRows(v0: v128, v1: v128, v2: v128, v3: v128, c: usize, ldc: usize, rows: i32, add: bool): void {
  const t0 = f32x4.shuffle(v0, v1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(v2, v3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(v0, v1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(v2, v3, 2, 6, 3, 7);
  storeRow(f32x4.shuffle(t0, t1, 0, 1, 4, 5), c, add);
  if (rows > 1) storeRow(f32x4.shuffle(t0, t1, 2, 3, 6, 7), c + ldc, add);
  if (rows > 2) storeRow(f32x4.shuffle(t2, t3, 0, 1, 4, 5), c + 2 * ldc, add);
  if (rows > 3) storeRow(f32x4.shuffle(t2, t3, 2, 3, 6, 7), c + 3 * ldc, add);
}

/** Four values of one row of C: stored, or added to what the earlier depth blocks left there. */
function storeRow(v: v128, at: usize, add: bool): void {
  v128.store(at, add ? f32x4.add(v, v128.load(at)) : v);
}
