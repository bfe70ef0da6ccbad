// Warm-up, batch calibration and medians. One sample = `iters` back-to-back calls, so that
// sub-millisecond ops are not at the mercy of timer resolution. The contenders of one case are
// sampled round-robin (sample 1 of each, then sample 2 of each, …), so a noisy spell on a shared
// machine hits all of them alike instead of one; each reports the median of its per-call times.
// PyTorch contenders take part from their own process (Remote, src/torch-session.ts).

export interface TimingOptions {
  /** Timed samples per contender (>= 5). */
  runs: number;
  /** Keep calling a function until this much time has passed (at least one call). */
  warmupMs: number;
  /** Aim for samples of about this length by batching calls. */
  sampleMs: number;
}

export interface Measurement {
  /** Median time of one call, in milliseconds. */
  medianMs: number;
  /** Per-call time of each sample, in milliseconds. */
  samplesMs: number[];
  itersPerSample: number;
}

/**
 * A contender timed in another process (src/torch-session.ts): `warm` calls it for about `ms` and returns its
 * fastest call, `sample` makes `iters` back-to-back calls and returns their total, both in milliseconds.
 */
export interface Remote {
  warm(ms: number): Promise<number>;
  /** `iters` timed calls, after one untimed call when `rewarm` (see REWARM_BELOW). */
  sample(iters: number, rewarm: boolean): Promise<number>;
}

/**
 * Samples of fewer calls than this start with one untimed call (unless a call takes seconds: TF.js cpu). The
 * contenders of a round take turns, so a contender whose sample is one or two calls long would otherwise time a
 * first call on caches (and, for PyTorch, threads) that the other contenders' samples just left cold, which no step
 * of a real training loop sees.
 */
const REWARM_BELOW = 3;
const REWARM_MAX_MS = 1000;

export interface Timed {
  /** The call to time here; a remote contender has none. */
  fn?: () => unknown;
  /** Timed in another process instead, sampled in the same rounds as the others. */
  remote?: Remote;
  /** Runs before each warm-up and each sample of this contender, untimed (e.g. select a backend). */
  enter?: () => Promise<void>;
  /**
   * Samples for this contender when fewer than the options' `runs` (>= 5): a contender whose every call
   * takes seconds is sampled in the first rounds only, so the others need not wait for it in the rest.
   */
  runs?: number;
}

export const defaultTiming: TimingOptions = { runs: 7, warmupMs: 300, sampleMs: 60 };

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function callOf(timed: Timed): () => unknown {
  if (!timed.fn) throw new Error('a contender needs fn or remote');
  return timed.fn;
}

/** Runs fn until warmupMs has passed; returns the fastest single call in ms. */
function warmUp(fn: () => unknown, warmupMs: number): number {
  const start = performance.now();
  let fastest = Number.POSITIVE_INFINITY;
  do {
    const t = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - t);
  } while (performance.now() - start < warmupMs);
  return fastest;
}

/**
 * Measures each contender; a contender that throws gets its Error instead of a Measurement
 * (and the others carry on).
 */
export async function measureRoundRobin<K extends string>(
  contenders: Partial<Record<K, Timed>>,
  opts: TimingOptions = defaultTiming,
): Promise<Partial<Record<K, Measurement | Error>>> {
  if (opts.runs < 5) throw new Error(`runs must be >= 5 (got ${opts.runs})`);
  const out: Partial<Record<K, Measurement | Error>> = {};
  const live: { key: K; timed: Timed; iters: number; runs: number; rewarm: boolean; samples: number[] }[] =
    [];
  const fail = (key: K, err: unknown) => {
    out[key] = err instanceof Error ? err : new Error(String(err));
  };

  for (const key of Object.keys(contenders) as K[]) {
    const timed = contenders[key] as Timed;
    const runs = Math.min(opts.runs, timed.runs ?? opts.runs);
    if (runs < 5) throw new Error(`runs must be >= 5 (got ${runs} for ${key})`);
    try {
      await timed.enter?.();
      const fastest = timed.remote
        ? await timed.remote.warm(opts.warmupMs)
        : warmUp(callOf(timed), opts.warmupMs);
      const iters = Math.max(1, Math.round(opts.sampleMs / Math.max(fastest, 1e-6)));
      const rewarm = iters < REWARM_BELOW && fastest < REWARM_MAX_MS;
      live.push({ key, timed, iters, runs, rewarm, samples: [] });
    } catch (err) {
      fail(key, err);
    }
  }

  for (let r = 0; r < opts.runs; r++) {
    for (const c of live) {
      if (r >= c.runs || out[c.key] instanceof Error) continue;
      try {
        await c.timed.enter?.();
        if (c.timed.remote) {
          c.samples.push((await c.timed.remote.sample(c.iters, c.rewarm)) / c.iters);
          continue;
        }
        const fn = callOf(c.timed);
        if (c.rewarm) fn();
        const t = performance.now();
        for (let i = 0; i < c.iters; i++) fn();
        c.samples.push((performance.now() - t) / c.iters);
      } catch (err) {
        fail(c.key, err);
      }
    }
  }

  for (const c of live) {
    if (out[c.key] instanceof Error) continue;
    out[c.key] = { medianMs: median(c.samples), samplesMs: c.samples, itersPerSample: c.iters };
  }
  return out;
}
