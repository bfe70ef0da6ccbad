/**
 * @file Dropout masks from the Generator's stream (src/random.ts): xoshiro128** draws, one per element, the
 * same draws in the same order as `Generator.bernoulli()` calls, each kept where it is below p·2³². 1.6 ns per
 * element against 2.5 for the JavaScript loop (a million-element mask), which converts every draw to a float.
 */

/**
 * Writes n float32 values at `out`: `value` where draw < threshold, else +0. The generator's four state words
 * are read from and written back to `state` (16 bytes).
 */
export function bernoulliMask(n: i32, out: usize, state: usize, threshold: f64, value: f32): void {
  let s0 = load<u32>(state);
  let s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8);
  let s3 = load<u32>(state, 12);
  // draw < threshold as integers (the draw is one): no float conversion, and a mask instead of a branch.
  const bound = <u64>Math.ceil(threshold);
  const bits = reinterpret<u32>(value);
  const end = out + ((<usize>n) << 2);
  for (let at = out; at < end; at += 4) {
    const draw = rotl<u32>(s1 * 5, 7) * 9;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    store<u32>(at, bits & (0 - <u32>(<u64>draw < bound)));
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}
