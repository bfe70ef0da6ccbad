/**
 * @file Portable (pure TypeScript) single-threaded matrix-multiply kernel.
 *
 * Blocking scheme (GotoBLAS / BLIS style), for out[m,n] = A[m,k] · B[k,n]:
 *
 *   for jc in n, step NC                      B panel columns
 *     for pc in k, step KC                    depth block
 *       pack B[pc:pc+KC, jc:jc+NC] → BP        KC×NC, as NR-wide column slivers (kc×NR each)
 *       for ic in m, step MC                  A block rows
 *         pack A[ic:ic+MC, pc:pc+KC] → AP      MC×KC, as MR-tall row slivers (kc×MR each), stays in L2
 *         for jr in NC, step NR               one B sliver (kc×NR doubles = 8 KB) stays in L1 …
 *           for ir in MC, step MR             … while the A slivers stream from L2
 *             microKernel: MR×NR tile = AP sliver · BP sliver (kc steps)
 *             storeTile: out tile = tile (first depth block) or += tile (later ones)
 *
 * Packing does three jobs: it turns any stride layout (A·B, A·Bᵀ, Aᵀ·B views) into the same contiguous,
 * sequentially-read layout, so all layouts run at the same speed; it converts float32 to float64 once per
 * element instead of once per multiply (a Float32Array load costs a conversion in the inner loop); and it
 * zero-pads ragged edge slivers so the micro-kernel always computes a full MR×NR tile.
 *
 * The micro-kernel keeps the 4×4 tile of sums in local variables (doubles), loading MR + NR values per
 * step of k for MR·NR multiply-adds; 4×4 measured as fast as 4×3, 3×4, 4×6, and faster than 4×8 or 2×4
 * (x64 has 16 xmm registers). The pack buffers are fixed-size module-level `const`s (1.3 MB in all): the
 * block sizes bound what is packed, and V8 can then treat their base address and length as constants in the
 * hot loop (no per-iteration map check or length reload), which measured ~30% faster than passing them in.
 * The micro-kernel touches nothing else, so it stays monomorphic when float32 and float64 calls mix.
 * Once any code in the process has detached an ArrayBuffer (a postMessage transfer; importing TF.js does it),
 * V8 adds a detached check to every typed-array load and this path drops from ~5.8 to ~5 GFLOPS.
 *
 * Skinny products (m or n < 4, e.g. matrix·vector) take a direct 1×4-tiled loop without packing, where
 * packing would mostly pack padding. Everything else, even 8×8×8, is faster through the packed path (measured:
 * ~2.5 vs ~1.5 GFLOPS at 8, ~4.5 vs ~2 at 32), so small matrices (recurrent layers) use it too; its
 * per-call overhead is a few property reads — the buffers are preallocated.
 */

export type FloatArray = Float32Array | Float64Array;

/** A strided view of one matrix inside a flat buffer: element (i, j) is data[offset + i*rowStride + j*colStride]. */
export interface MatrixOperand {
  data: FloatArray;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** Micro-tile: MR rows of A × NR columns of B. packPanel and microKernel are written out for 4 × 4. */
const MR = 4;
const NR = 4;
/** Depth block: a B sliver is KC·NR doubles (8 KB, fits L1 next to the streaming A sliver). */
const KC = 256;
/** Rows of A per packed block: MC·KC doubles = 256 KB, comfortably inside a 1 MB L2. */
const MC = 128;
/** Columns of B per packed panel: KC·NC doubles = 1 MB, lives in L2/L3 and is reused across all of A's blocks. */
const NC = 512;

/** Packed A block and B panel, float64 whatever the input type (see the header on why `const`). */
const AP = new Float64Array(MC * KC);
const BP = new Float64Array(KC * NC);
/** The micro-kernel's MR×NR result, which storeTile moves into out. */
const TILE = new Float64Array(MR * NR);

/**
 * out[outOffset + i*n + j] = Σ_p A(i,p) · B(p,j) for an [m,k]·[k,n] product, out row-major contiguous.
 * Overwrites out (does not accumulate). A and B may be transposed views (e.g. rowStride 1, colStride m) — the
 * backward pass of matmul calls it with Aᵀ and Bᵀ views, so no transposed copy must be needed by the caller.
 * Handles m, n or k = 0 (k = 0 → zeros), and any sizes (not only multiples of the block size).
 */
export function matmulKernel(
  m: number,
  n: number,
  k: number,
  a: MatrixOperand,
  b: MatrixOperand,
  out: FloatArray,
  outOffset: number,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0, outOffset, outOffset + m * n);
    return;
  }
  if (n < NR && m >= n) {
    // Few columns: compute outᵀ = Bᵀ·Aᵀ so the 1×4 tiles run along m instead (views only, no copies).
    const at = { data: a.data, offset: a.offset, rowStride: a.colStride, colStride: a.rowStride };
    const bt = { data: b.data, offset: b.offset, rowStride: b.colStride, colStride: b.rowStride };
    directMatmul(n, m, k, bt, at, out, outOffset, 1, n);
    return;
  }
  if (m < MR || n < NR) {
    directMatmul(m, n, k, a, b, out, outOffset, n, 1);
    return;
  }
  blockedMatmul(m, n, k, a, b, out, outOffset);
}

/** The packed path for everything but skinny products; see the header for the loop nest. */
function blockedMatmul(
  m: number,
  n: number,
  k: number,
  a: MatrixOperand,
  b: MatrixOperand,
  out: FloatArray,
  outOffset: number,
): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // B block rows pc.., cols jc..: the lanes of a sliver are columns, stepping along k is a row step.
      packPanel(BP, b.data, b.offset + pc * b.rowStride + jc * b.colStride, b.colStride, b.rowStride, nc, kc);
      // The first depth block overwrites out, later ones add to it: no separate zeroing pass. (For float32
      // out, a sum is thus rounded to float32 once per KC terms, not once at the end: negligible.)
      const overwrite = pc === 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanel(
          AP,
          a.data,
          a.offset + ic * a.rowStride + pc * a.colStride,
          a.rowStride,
          a.colStride,
          mc,
          kc,
        );
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const rowStart = outOffset + ic * n + jc + jr;
          for (let ir = 0; ir < mc; ir += MR) {
            // Sliver s of a packed buffer starts at s·kc·(MR or NR) = ir·kc (resp. jr·kc).
            microKernel(kc, ir * kc, jr * kc);
            storeTile(out, rowStart + ir * n, n, Math.min(MR, mc - ir), nr, overwrite);
          }
        }
      }
    }
  }
}

/**
 * Packs `lanes` lanes × kc steps of a strided matrix into `dst` as 4-lane slivers: sliver s holds, for each
 * step p, its 4 lane values contiguously (dst[s·kc·4 + p·4 + l]). Serves A (lanes = rows, MR = 4) and B
 * (lanes = columns, NR = 4). A short last sliver is padded with zeros: its extra lanes are computed but never
 * stored, and zeros keep them cheap and finite whatever was in the buffer before.
 */
function packPanel(
  dst: Float64Array,
  src: FloatArray,
  base: number,
  laneStride: number,
  stepStride: number,
  lanes: number,
  kc: number,
): void {
  let d = 0;
  for (let l0 = 0; l0 < lanes; l0 += 4) {
    const count = Math.min(4, lanes - l0);
    const start = base + l0 * laneStride;
    if (count === 4) {
      // Four read streams at once: each is contiguous when the layout is, and the writes are sequential.
      let s0 = start;
      let s1 = start + laneStride;
      let s2 = s1 + laneStride;
      let s3 = s2 + laneStride;
      for (let p = 0; p < kc; p++) {
        dst[d] = src[s0];
        dst[d + 1] = src[s1];
        dst[d + 2] = src[s2];
        dst[d + 3] = src[s3];
        d += 4;
        s0 += stepStride;
        s1 += stepStride;
        s2 += stepStride;
        s3 += stepStride;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = start + p * stepStride;
        for (let l = 0; l < 4; l++) dst[d + l] = l < count ? src[s + l * laneStride] : 0;
        d += 4;
      }
    }
  }
}

/**
 * TILE = A sliver · B sliver over kc steps, reading AP from ai and BP from bi (TILE row-major MR×NR).
 * It touches only the module's own float64 buffers, so its code never sees a second array type: storing
 * into `out` here made it polymorphic once float32 and float64 products both ran, and V8 then looped on
 * deopts of this function.
 */
function microKernel(kc: number, ai: number, bi: number): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  // `| 0` keeps the index arithmetic in int32, which spares V8 an overflow check per load (measured 1–8%).
  for (let p = 0; p < kc; p++) {
    const a0 = AP[ai];
    const a1 = AP[(ai + 1) | 0];
    const a2 = AP[(ai + 2) | 0];
    const a3 = AP[(ai + 3) | 0];
    const b0 = BP[bi];
    const b1 = BP[(bi + 1) | 0];
    const b2 = BP[(bi + 2) | 0];
    const b3 = BP[(bi + 3) | 0];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ai = (ai + MR) | 0;
    bi = (bi + NR) | 0;
  }
  TILE[0] = c00;
  TILE[1] = c01;
  TILE[2] = c02;
  TILE[3] = c03;
  TILE[4] = c10;
  TILE[5] = c11;
  TILE[6] = c12;
  TILE[7] = c13;
  TILE[8] = c20;
  TILE[9] = c21;
  TILE[10] = c22;
  TILE[11] = c23;
  TILE[12] = c30;
  TILE[13] = c31;
  TILE[14] = c32;
  TILE[15] = c33;
}

/** Writes (or adds) the valid mr×nr part of TILE to out at ci, row stride ldc; padded lanes are dropped. */
function storeTile(
  out: FloatArray,
  ci: number,
  ldc: number,
  mr: number,
  nr: number,
  overwrite: boolean,
): void {
  for (let i = 0; i < mr; i++) {
    const row = ci + i * ldc;
    const t = i * NR;
    if (overwrite) for (let j = 0; j < nr; j++) out[row + j] = TILE[t + j];
    else for (let j = 0; j < nr; j++) out[row + j] += TILE[t + j];
  }
}

/**
 * Unpacked path for skinny products (m or n below the tile size), where packing would mostly pack padding:
 * a 1×4 register tile straight off the strided operands — row i of A against four columns of B, one A load
 * per four multiply-adds and four independent sums — then single dot products for leftover columns. It
 * writes out(i, j) at outOffset + i·outRowStride + j·outColStride, so that a product with few columns can
 * run transposed (outᵀ = Bᵀ·Aᵀ) and still get four columns per tile. Sums are doubles whatever the array type.
 */
function directMatmul(
  m: number,
  n: number,
  k: number,
  a: MatrixOperand,
  b: MatrixOperand,
  out: FloatArray,
  outOffset: number,
  outRowStride: number,
  outColStride: number,
): void {
  const ad = a.data;
  const bd = b.data;
  const acs = a.colStride;
  const brs = b.rowStride;
  const bcs = b.colStride;
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const aRow = a.offset + i * a.rowStride;
    const oRow = outOffset + i * outRowStride;
    let j = 0;
    for (; j < n4; j += 4) {
      let ap = aRow;
      let bp = b.offset + j * bcs;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = ad[ap];
        s0 += x * bd[bp];
        s1 += x * bd[bp + bcs];
        s2 += x * bd[bp + 2 * bcs];
        s3 += x * bd[bp + 3 * bcs];
        ap += acs;
        bp += brs;
      }
      const o = oRow + j * outColStride;
      out[o] = s0;
      out[o + outColStride] = s1;
      out[o + 2 * outColStride] = s2;
      out[o + 3 * outColStride] = s3;
    }
    for (; j < n; j++) {
      let ap = aRow;
      let bp = b.offset + j * bcs;
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += ad[ap] * bd[bp];
        ap += acs;
        bp += brs;
      }
      out[oRow + j * outColStride] = s;
    }
  }
}
