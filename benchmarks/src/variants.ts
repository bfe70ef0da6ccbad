// The Tensorloom columns of the mlp, lstm and transformer suites: one per registered backend, the wasm one at
// each thread count its matmul is measured at, and the exports they need.
import { missingExports, type Tensorloom } from './tensorloom.js';

/** One Tensorloom column: a backend at a thread count. */
export interface Variant {
  /** e.g. "Tensorloom wasm"; with `threads`, unique. */
  label: string;
  threads: number;
  /** The label, plus "(n thr)" when the backend is measured at several thread counts: unique on its own. */
  header: string;
  /** Selects the backend and thread count (untimed, before every sample). */
  select: () => void;
}

/** Threads the wasm backend's matmul is measured at (the other kernels are single-threaded). */
export const WASM_THREADS = [1, 2] as const;

/**
 * A column per registered backend, the wasm one at 1 and 2 threads (setNumThreads), and a function that puts
 * back the backend and thread count found at the start.
 */
export function tensorloomVariants(tl: Tensorloom): { variants: Variant[]; restore: () => void } {
  const original = tl.getBackend().name;
  const originalThreads = tl.getNumThreads();
  const variants: Variant[] = tl.listBackends().flatMap((name): Variant[] => {
    const label = `Tensorloom ${name}`;
    if (name !== 'wasm') return [{ label, threads: 1, header: label, select: () => tl.setBackend(name) }];
    return WASM_THREADS.map((threads) => ({
      label,
      threads,
      header: `${label} (${threads} thr)`,
      select: () => {
        tl.setBackend(name);
        tl.setNumThreads(threads);
      },
    }));
  });
  return {
    variants,
    restore: () => {
      tl.setBackend(original);
      tl.setNumThreads(originalThreads);
    },
  };
}

/** Why Tensorloom cannot run the suite (an export it needs is missing), or null. */
export function missingApi(tl: Tensorloom): string | null {
  const missing = missingExports(tl, ['listBackends', 'setBackend', 'getNumThreads', 'setNumThreads']);
  return missing.length === 0 ? null : `@tensorloom/tensor lacks ${missing.join(', ')}`;
}
