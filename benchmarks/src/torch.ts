// PyTorch column: runs benchmarks/torch/*.py with Debian's /usr/bin/python3 (not whatever python3 is
// on PATH) and reads the JSON they print. One thread unless a suite asks for more; above one thread
// the OpenMP build of OpenBLAS is loaded (Debian's default pthread build is slower on 2 threads than
// on 1). Without python or torch the column is "n/a".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MALLOC_ENV } from './malloc.js';
import type { TimingOptions } from './timing.js';

/** Debian's python3 (with python3-torch); BENCH_PYTHON overrides it, e.g. to test the n/a path. */
export const PYTHON = process.env.BENCH_PYTHON || '/usr/bin/python3';
/** Debian's libopenblas0-openmp; BENCH_OPENMP_BLAS_DIR overrides it. */
export const OPENMP_BLAS_DIR =
  process.env.BENCH_OPENMP_BLAS_DIR || '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const TORCH_DIR = fileURLToPath(new URL('../torch/', import.meta.url));

/**
 * The environment for a torch subprocess at `threads` threads: the caller's, with the thread variables and the
 * malloc settings every contender runs with (src/malloc.ts) set. Other
 * OpenBLAS variables pass through untouched (turbo.json passes OPENBLAS_* to the bench task, which would otherwise
 * strip them): this machine's shell sets OPENBLAS_CORETYPE=Haswell, AVX2 kernels at 125 GFLOPS per core, where
 * OpenBLAS alone would pick AVX-512 Cooperlake kernels at 241. The scripts report the core OpenBLAS chose.
 */
export function torchEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    PYTHONDONTWRITEBYTECODE: '1',
    ...MALLOC_ENV,
  };
  if (threads > 1 && existsSync(OPENMP_BLAS_DIR)) {
    // Found before Debian's alternatives link; the script reports which BLAS it actually mapped.
    env.LD_LIBRARY_PATH = [OPENMP_BLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return env;
}

export interface TorchInfo {
  torch: string;
  threads: number;
  blas: string | null;
}

/** Median ms per call keyed by case id, e.g. "AB/256" or "softmax". */
export type TorchResults = Record<string, number>;

export interface ScriptOptions {
  /** torch.set_num_threads and the BLAS/OpenMP thread variables (default 1). */
  threads?: number;
  /** Bytes for the script's stdin (e.g. raw float32 weights). */
  input?: Uint8Array;
}

function runScript(
  script: string,
  config: object,
  { threads = 1, input }: ScriptOptions = {},
): { ok: true; json: unknown } | { ok: false; error: string } {
  const env = torchEnv(threads);
  const res = spawnSync(PYTHON, [script, JSON.stringify({ ...config, threads })], {
    cwd: TORCH_DIR,
    env,
    input,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
  });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code;
    return { ok: false, error: code === 'ENOENT' ? `${PYTHON} not found` : res.error.message };
  }
  if (res.status !== 0) {
    const lastLine = res.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, error: `exit ${res.status ?? res.signal}: ${lastLine}` };
  }
  try {
    return { ok: true, json: JSON.parse(res.stdout) };
  } catch {
    return { ok: false, error: `unparsable output: ${res.stdout.slice(0, 200)}` };
  }
}

/** Torch's version etc., or a reason why it is unavailable. */
export function probeTorch(): { info: TorchInfo } | { error: string } {
  const res = runScript('env.py', {});
  return res.ok ? { info: res.json as TorchInfo } : { error: res.error };
}

/**
 * Runs torch/<suite>.py with the timing options and `extra` config. `json` is the script's whole output,
 * for suites that print more than timings.
 */
export function runTorch(
  suite: 'matmul' | 'elementwise' | 'mlp' | 'lstm' | 'transformer',
  timing: TimingOptions,
  extra: object,
  options: ScriptOptions = {},
): { results: TorchResults; json: unknown } | { error: string } {
  const config = { runs: timing.runs, warmup_ms: timing.warmupMs, sample_ms: timing.sampleMs, ...extra };
  const res = runScript(`${suite}.py`, config, options);
  if (!res.ok) return { error: res.error };
  const raw = (res.json as { results: Record<string, { median_ms: number }> }).results;
  return {
    results: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.median_ms])),
    json: res.json,
  };
}
