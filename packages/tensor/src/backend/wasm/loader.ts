/**
 * @file Finds, compiles and instantiates the kernel module (built from assembly/ by scripts/build-wasm.mjs).
 *
 * Two builds ship: relaxed SIMD (fused multiply-add) and plain SIMD128. The engine picks by validation: the
 * first build it accepts wins, so there is no user-agent sniffing and no separate probe module. Node 20 (V8 11.3)
 * accepts relaxed SIMD only with `--experimental-wasm-relaxed-simd`; Chrome 114+ and Node 22+ accept it by default.
 *
 * Loading is lazy and synchronous on first use (`new WebAssembly.Module`), which is fine in Node and in workers.
 * Browsers limit synchronous compiles on the main thread (Chrome long refused modules over 4 KB, now over
 * 8 MB); ours are about 3 KB, and `initWasmBackend()` compiles asynchronously for callers that would
 * rather await it than risk a limit.
 */

import { decodeBase64 } from './base64.js';
import { relaxedSimdKernels, simdKernels } from './generated/kernels.js';
import { type WasmMemory, webAssembly } from './webassembly.js';

export type WasmVariant = 'relaxed-simd' | 'simd';

/** The module's exports (assembly/index.ts). Pointers are byte addresses, strides are in elements. */
export interface KernelExports {
  readonly memory: WasmMemory;
  /** First byte free for the caller: the kernels' pack buffers lie below it. */
  heapBase(): number;
  /** C[m×n] = A[m×k]·B[k×n] for float32 data in linear memory; C is written contiguously. */
  matmul(
    m: number,
    n: number,
    k: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    c: number,
  ): void;
}

export interface Kernels {
  readonly variant: WasmVariant;
  readonly exports: KernelExports;
}

/** Best first. */
const builds: readonly { variant: WasmVariant; base64: string }[] = [
  { variant: 'relaxed-simd', base64: relaxedSimdKernels },
  { variant: 'simd', base64: simdKernels },
];

/** undefined: not loaded yet; null: this engine runs none of the builds (no WebAssembly or no SIMD). */
let loaded: Kernels | null | undefined;

/** The best build this engine validates, or `only` if given and valid. */
function chooseBuild(only?: WasmVariant): { variant: WasmVariant; bytes: Uint8Array } | null {
  if (!webAssembly) return null;
  for (const { variant, base64 } of builds) {
    if (only && variant !== only) continue;
    const bytes = decodeBase64(base64);
    if (webAssembly.validate(bytes)) return { variant, bytes };
  }
  return null;
}

/** The loaded kernels, compiling them synchronously on first call; null when the engine cannot run them. */
export function loadKernels(): Kernels | null {
  if (loaded === undefined) {
    const build = chooseBuild();
    loaded = build && {
      variant: build.variant,
      exports: new webAssembly!.Instance(new webAssembly!.Module(build.bytes), {}).exports as KernelExports,
    };
  }
  return loaded;
}

/**
 * Compiles the kernels asynchronously (so a browser's main thread never compiles synchronously) and resolves to
 * the build in use, or null if the engine runs none. `variant` forces one build (benchmarks compare them); it
 * resolves to null, and leaves the current kernels in place, if the engine rejects that build.
 * @example await initWasmBackend(); registerBackend(wasmBackend); setBackend('wasm');
 */
export async function initWasmBackend(options: { variant?: WasmVariant } = {}): Promise<WasmVariant | null> {
  if (loaded !== undefined && (!options.variant || loaded?.variant === options.variant)) {
    return loaded?.variant ?? null;
  }
  const build = chooseBuild(options.variant);
  if (!build) {
    if (!options.variant) loaded = null;
    return null;
  }
  const module = await webAssembly!.compile(build.bytes);
  const instance = await webAssembly!.instantiate(module, {});
  loaded = { variant: build.variant, exports: instance.exports as KernelExports };
  return build.variant;
}
