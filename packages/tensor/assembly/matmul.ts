/**
 * @file The blocked loop nest (GotoBLAS / BLIS order) for C[m×n] = A[m×k] · B[k×n], float32, C row-major:
 *
 *   for jc in n, step NC                  pack B[pc.., jc..] → bp (KC×NC as NR-wide slivers)
 *     for pc in k, step KC
 *       for ic in m, step MC              pack A[ic.., pc..] → ap (MC×KC as MR-tall slivers)
 *         for jr in NC, step NR           one B sliver stays in L1 …
 *           for ir in MC, step MR         … while the A slivers stream from L2: microKernel
 *
 * The first depth block writes C, later ones add to it. Edge tiles (m or n not a multiple of the tile) are
 * computed whole on zero padding into a scratch tile, and only their valid part is copied to C. Products with
 * fewer rows than a tile skip packing where their layout allows (skinny.ts), and other products of few rows read
 * W of A·Wᵀ (few-rows.ts) or a row-major B in place.
 *
 * bp, ap and the edge tile live in a work region the caller passes in, not in static data: the module keeps no
 * state of its own, so several threads can run it at once on one shared memory, each with its own region.
 */
import { fewRowsTimesTransposed } from './few-rows';
import { microKernel } from './micro-kernel';
import { packPanel } from './pack';
import { rowsDotColumns, rowsTimesRows } from './skinny';
import { KC, MC, MR, NC, NR, WORK_A, WORK_B, WORK_TILE } from './tiles';

/**
 * Products of at most this many rows skip packing their large operand: each packed sliver of it would serve at most
 * FEW_ROWS / MR micro-tiles, too few to repay the copy. By a column-major B (A·Wᵀ) they take few-rows.ts, which
 * reads W in place (4–9% faster than the loop nest for 32–64 rows; from a few hundred rows on, the loop nest is as
 * fast or faster); a row-major B is read in place by the loop nest (an LSTM step's [32, 1024]·[1024, 256] took 370
 * instead of 430 µs, a decoder's [32, 2048]·[2048, 768] 2.1 instead of 2.6 ms, one thread). The arithmetic is the
 * same either way, so results do not change.
 */
const FEW_ROWS = 64;

/**
 * A row-major B is read in place only with a row stride under this many elements (4 KB): a sliver read across
 * rows 4 KB or more apart takes a new page every step, and measured a quarter slower than packing ([32, 768]·[768,
 * 2048]). Rows must also start 16-byte aligned: vector loads split across cache lines made [32, 256]·[256, 1023]
 * 3% slower than packing.
 */
const UNPACKED_B_STRIDE = 1024;

/**
 * C = A · B with A's element (i, p) at a + 4·(i·aRow + p·aCol) and B's (p, j) at b + 4·(p·bRow + j·bCol);
 * C's (i, j) at c + 4·(i·ldc + j). Any strides (transposed views included), any sizes, k = 0 gives zeros.
 * `work` is a WORK_BYTES region the call may overwrite.
 */
export function matmul(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  aRow: i32,
  aCol: i32,
  b: usize,
  bRow: i32,
  bCol: i32,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    for (let i = 0; i < m; i++) memory.fill(c + <usize>(i * ldc * 4), 0, <usize>n * 4);
    return;
  }
  if (n === 1 && m > 1 && ldc === 1) {
    // Matrix · vector: the contiguous m×1 product is laid out like its 1×m transpose Bᵀ·Aᵀ, which puts the long
    // side along the 8-wide B slivers instead of padding each 1-column sliver with 7 zero columns.
    matmul(1, m, k, b, bCol, bRow, a, aCol, aRow, c, m, work);
    return;
  }
  if (m < MR && bCol === 1) {
    rowsTimesRows(m, n, k, a, aRow, aCol, b, bRow, c, ldc);
    return;
  }
  if (m < MR && aCol === 1 && bRow === 1) {
    rowsDotColumns(m, n, k, a, aRow, b, bCol, c, ldc);
    return;
  }
  if (m <= FEW_ROWS && bRow === 1 && n >= 4) {
    // B = Wᵀ of a row-major W: W's rows go to the kernel in place (few-rows.ts); the last n mod 4 columns below.
    const whole = n & ~3;
    fewRowsTimesTransposed(m, whole, k, a, aRow, aCol, b, bCol, c, ldc, work);
    if (whole < n) {
      const rest = b + <usize>(whole * bCol) * 4;
      matmul(m, n - whole, k, a, aRow, aCol, rest, bRow, bCol, c + <usize>whole * 4, ldc, work);
    }
    return;
  }
  const ap = work + WORK_A;
  const bp = work + WORK_B;
  const tile = work + WORK_TILE;
  const ldcBytes = <usize>ldc * 4;
  // Few rows and row-major B: full B slivers are read in place (see FEW_ROWS), only edge slivers packed.
  const inPlaceB = m <= FEW_ROWS && bCol === 1 && bRow < UNPACKED_B_STRIDE && bRow % 4 === 0 && b % 16 === 0;
  const packedStep = <usize>NR * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const bPanel = b + <usize>((pc * bRow + jc * bCol) * 4);
      if (!inPlaceB) packPanel(bp, NR, bPanel, bCol, bRow, nc, kc);
      const accumulate = pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packPanel(ap, MR, a + <usize>((ic * aRow + pc * aCol) * 4), aRow, aCol, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          let bSliver = bp + <usize>(jr * kc * 4);
          let bStep = packedStep;
          if (inPlaceB) {
            if (nr === NR) {
              bSliver = bPanel + <usize>jr * 4;
              bStep = <usize>bRow * 4;
            } else {
              bSliver = bp;
              packPanel(bp, NR, bPanel + <usize>jr * 4, bCol, bRow, nr, kc);
            }
          }
          const cColumn = c + <usize>(ic * ldc + jc + jr) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const aSliver = ap + <usize>(ir * kc * 4);
            const cTile = cColumn + <usize>ir * ldcBytes;
            // One call site, so that the kernel is inlined into this loop nest.
            const whole = mr === MR && nr === NR;
            microKernel(
              kc,
              aSliver,
              bSliver,
              bStep,
              whole ? cTile : tile,
              whole ? ldcBytes : NR * 4,
              whole && accumulate,
            );
            if (!whole) storeEdge(tile, cTile, ldcBytes, mr, nr, accumulate);
          }
        }
      }
    }
  }
}

/** Writes (or adds) the valid mr×nr corner of the MR×NR tile at `tile` to C at c, row stride ldc bytes. */
function storeEdge(tile: usize, c: usize, ldc: usize, mr: i32, nr: i32, accumulate: bool): void {
  for (let i = 0; i < mr; i++) {
    const row = c + <usize>i * ldc;
    const tileRow = tile + <usize>(i * NR * 4);
    for (let j = 0; j < nr; j++) {
      const at = row + <usize>(j * 4);
      const value = load<f32>(tileRow + <usize>(j * 4));
      store<f32>(at, accumulate ? load<f32>(at) + value : value);
    }
  }
}
