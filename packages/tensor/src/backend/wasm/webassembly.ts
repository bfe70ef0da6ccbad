/**
 * @file The slice of the WebAssembly JS API the loader uses, typed here because the package compiles against
 * plain ES2022 (no DOM lib), which does not declare the `WebAssembly` global although every engine we target has it.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Adds `pages` 64 KiB pages; throws RangeError past the engine's limit. Detaches the old `buffer`. */
  grow(pages: number): number;
}

interface WasmInstance {
  readonly exports: unknown;
}

export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
}

/** The engine's WebAssembly namespace, or undefined where there is none (some locked-down runtimes). */
export const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
