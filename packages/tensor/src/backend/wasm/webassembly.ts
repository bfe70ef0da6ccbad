/**
 * @file The slice of the WebAssembly JS API the loader uses, typed here because the package compiles against
 * plain ES2022 (no DOM lib), which does not declare the `WebAssembly` global although every engine we target has it.
 */

export interface WasmMemory {
  /** An ArrayBuffer, or a SharedArrayBuffer for a shared memory (a new object after every grow). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Adds `pages` 64 KiB pages; throws RangeError past the engine's limit. Detaches an unshared old `buffer`. */
  grow(pages: number): number;
}

/** A compiled module: it can be posted to a worker and instantiated there. */
export type WasmModule = object;

interface WasmInstance {
  readonly exports: unknown;
}

export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  /** Throws where shared memory is unavailable (e.g. a browser page that is not cross-origin isolated). */
  Memory: new (descriptor: {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }) => WasmMemory;
}

/** The engine's WebAssembly namespace, or undefined where there is none (some locked-down runtimes). */
export const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
