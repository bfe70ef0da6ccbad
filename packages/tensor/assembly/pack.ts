/**
 * @file Packing: copies a block of a strided float32 matrix into the sliver layout the micro-kernel reads.
 *
 * A sliver is `width` lanes (MR rows of A, or NR columns of B) × kc steps along the shared dimension, stored
 * step after step with the lane values of a step contiguous. Packing absorbs every stride layout, so A·B, A·Bᵀ
 * and Aᵀ·B all feed the same kernel: lanes that are contiguous in memory are copied as vectors, steps that are
 * contiguous are read four at a time and transposed in registers, anything else goes element by element.
 * Lanes past the matrix edge are zero-filled so the kernel can always compute whole tiles.
 */

/**
 * Packs `lanes` lanes × kc steps starting at `src` into slivers of `width` (a multiple of 4) lanes at `dst`.
 * Strides are in elements: lane l, step p is at src + 4·(l·laneStride + p·stepStride).
 */
export function packPanel(
  dst: usize,
  width: i32,
  src: usize,
  laneStride: i32,
  stepStride: i32,
  lanes: i32,
  kc: i32,
): void {
  if (laneStride === 1 && width > 4) {
    packRows(dst, width, src, stepStride, lanes, kc);
    return;
  }
  const dstStep = <usize>(width * 4);
  const ls = laneStride * 4;
  const ss = stepStride * 4;
  for (let l0 = 0; l0 < lanes; l0 += width) {
    // A sliver is `width` / 4 interleaved groups of four lanes.
    for (let g = 0; g < width; g += 4) {
      const groupSrc = src + <usize>((l0 + g) * ls);
      packGroup(dst + <usize>(g * 4), dstStep, groupSrc, ls, ss, min(4, lanes - l0 - g), kc);
    }
    dst += <usize>kc * dstStep;
  }
}

/** Packs one group of up to four lanes (count ≤ 0: all padding); strides here are in bytes. */
function packGroup(dst: usize, dstStep: usize, src: usize, ls: i32, ss: i32, count: i32, kc: i32): void {
  if (count <= 0) {
    for (let p = 0; p < kc; p++) {
      v128.store(dst, f32x4.splat(0));
      dst += dstStep;
    }
    return;
  }
  if (count === 4 && ls === 4) {
    // Lanes contiguous (A transposed; B row-major goes through packRows): one vector per step.
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src));
      src += <usize>ss;
      dst += dstStep;
    }
    return;
  }
  let p = 0;
  if (count === 4 && ss === 4) {
    // Steps contiguous (A row-major, B transposed): read a 4×4 block, four steps of each lane, and transpose.
    const ls2 = <usize>(2 * ls);
    const ls3 = <usize>(3 * ls);
    for (; p + 3 < kc; p += 4) {
      const r0 = v128.load(src);
      const r1 = v128.load(src + <usize>ls);
      const r2 = v128.load(src + ls2);
      const r3 = v128.load(src + ls3);
      const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
      const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
      const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
      v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(dst + dstStep, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
      v128.store(dst + 2 * dstStep, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
      v128.store(dst + 3 * dstStep, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
      src += 16;
      dst += 4 * dstStep;
    }
  }
  // General strides, partial groups and the leftover steps of the transposing path.
  for (; p < kc; p++) {
    for (let l = 0; l < 4; l++) {
      store<f32>(dst + <usize>(l * 4), l < count ? load<f32>(src + <usize>(l * ls)) : 0);
    }
    src += <usize>ss;
    dst += dstStep;
  }
}

/** Steps of a row block: each sliver gets ROW_BLOCK consecutive steps (ROW_BLOCK·width floats) at a time. */
const ROW_BLOCK = 16;

/**
 * packPanel for B slivers whose lanes are contiguous in memory (B row-major): each step is one row of B. Going
 * down one sliver's steps jumps a whole row of B each time (4 KB for a 1024-wide B), which defeats the cache and
 * the TLB; this walks ROW_BLOCK rows together instead, along them, so each row is read in order and each sliver
 * written in runs of ROW_BLOCK steps. Same packed values as the general path. Measured (one thread, [m, 256] ·
 * [256, 1024]): 488 → 415 µs at m = 32, 852 → 758 µs at m = 64. A's 4-wide slivers (A transposed) lost 3–7% this
 * way, so they keep packGroup's one vector per step.
 */
function packRows(dst: usize, width: i32, src: usize, stepStride: i32, lanes: i32, kc: i32): void {
  const rowBytes = <usize>(stepStride * 4);
  const sliverBytes = <usize>(kc * width * 4);
  const stepBytes = <usize>(width * 4);
  for (let p0 = 0; p0 < kc; p0 += ROW_BLOCK) {
    const p1 = min(p0 + ROW_BLOCK, kc);
    let sliver = dst;
    for (let l0 = 0; l0 < lanes; l0 += width) {
      const count = min(width, lanes - l0);
      for (let p = p0; p < p1; p++) {
        const from = src + <usize>p * rowBytes + <usize>(l0 * 4);
        const to = sliver + <usize>p * stepBytes;
        if (count === width) {
          for (let l = 0; l < width; l += 4)
            v128.store(to + <usize>(l * 4), v128.load(from + <usize>(l * 4)));
        } else {
          for (let l = 0; l < width; l++) {
            store<f32>(to + <usize>(l * 4), l < count ? load<f32>(from + <usize>(l * 4)) : 0);
          }
        }
      }
      sliver += sliverBytes;
    }
  }
}
