/**
 * @file The 4×8 micro-kernel: C[4×8] (=|+=) Σ_p A[:, p] ⊗ B[p, :] over kc steps of packed slivers.
 *
 * The tile lives in 8 f32x4 accumulators (two vectors per row of C); each step loads two B vectors and
 * broadcasts four A values straight from memory (load32_splat → vbroadcastss), so a step is 6 loads and
 * 8 multiply-adds. Accumulators, B vectors, the A broadcast and a product temporary make 12 live vectors,
 * under x64's 16 xmm registers (V8 keeps one as scratch), so TurboFan spills nothing. Unrolling the k loop by
 * two measured slower (35 against 48 GFLOPS): TurboFan hoists both steps' loads and then spills accumulators.
 *
 * Callers must call it from one place only, so that Binaryen inlines it into their loop nest: as a function of its
 * own the same loop ran at 48–50 GFLOPS, inlined at 57–59 (matmul.ts, on a 2-core AMD EPYC under Node 20, mul +
 * add), against 62 for the bare multiply-add loop with nothing else in it (scripts/bench-simd-peak.mjs); wider
 * vectors (PyTorch's OpenBLAS measured 125–245 GFLOPS on one core here) do not exist in WebAssembly.
 */
import { madd } from './simd';
import { MR } from './tiles';

/**
 * Multiplies the A sliver at `ap` (kc steps × MR floats) by the B sliver at `bp` (kc steps of NR floats, `bStep`
 * bytes apart: NR·4 when packed, B's row stride when read in place) and writes (or, with `accumulate`, adds) the
 * full MR×NR tile to C at `c`, row stride `ldc` bytes.
 */
export function microKernel(
  kc: i32,
  ap: usize,
  bp: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
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
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(c00, a, b0);
    c01 = madd(c01, a, b1);
    a = v128.load32_splat(ap, 4);
    c10 = madd(c10, a, b0);
    c11 = madd(c11, a, b1);
    a = v128.load32_splat(ap, 8);
    c20 = madd(c20, a, b0);
    c21 = madd(c21, a, b1);
    a = v128.load32_splat(ap, 12);
    c30 = madd(c30, a, b0);
    c31 = madd(c31, a, b1);
    ap += MR * 4;
    bp += bStep;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc));
    c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc));
    c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc));
    c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}
