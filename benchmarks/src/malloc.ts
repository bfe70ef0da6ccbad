// glibc malloc settings every contender runs with. By default glibc hands blocks of ≥ 128 KiB back to the kernel
// (munmap, heap trim) and page-faults them in again when they are next allocated, so a training step that
// allocates a few such blocks pays for it every step: PyTorch's mlp step swung between ≈ 0.7 and 1.9 ms from
// sample to sample, and Tensorloom's (an 800 KB weight gradient and product per step) took 1.75 instead of
// 1.57 ms on one thread and 1.50 instead of 1.16 ms on two (2026-11-27). Keeping freed blocks is what a caching
// allocator gives (jemalloc, tcmalloc, PyTorch's own on GPU). glibc reads the variables once, at process start:
// package.json's scripts set them for the Node process, and torch subprocesses get them explicitly.

export const MALLOC_ENV = {
  MALLOC_MMAP_THRESHOLD_: String(64 << 20),
  MALLOC_TRIM_THRESHOLD_: String(256 << 20),
};

/** "MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456". */
export const MALLOC_SETTINGS = Object.entries(MALLOC_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');

/** Whether this Node process started with MALLOC_ENV (glibc has read its variables by now). */
export function nodeHasMallocEnv(): boolean {
  return Object.entries(MALLOC_ENV).every(([k, v]) => process.env[k] === v);
}

/** For the header: what the Node process runs with, and a warning when it is not what torch gets. */
export function mallocLine(): string {
  return nodeHasMallocEnv()
    ? `  malloc: ${MALLOC_SETTINGS} for Node and torch (glibc keeps freed blocks instead of re-faulting them every step)`
    : `  malloc: Node on glibc's defaults (started outside \`pnpm bench\`), torch with ${MALLOC_SETTINGS}: Tensorloom's mlp step is slower for it`;
}
