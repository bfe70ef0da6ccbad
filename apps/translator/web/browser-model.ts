/**
 * @file The model in the browser: the checkpoint's three files fetched from the server that serves the page, and
 * a Translator built from them with the same code the server runs, plus the tensor runtime it ended up on.
 */
import { getBackend, getNumThreads, initThreads, initWasmBackend } from '@tensorloom/tensor';
import { Translator } from '../src/translator.js';

export interface RuntimeInfo {
  /** 'wasm' or 'js'. */
  backend: string;
  /** The wasm build the engine accepted ('relaxed-simd' or 'simd'), or null when it runs none. */
  wasmVariant: string | null;
  /** Threads a large float32 matmul may use, the page's own included. */
  threads: number;
  /** Whether the page may share memory with workers (COOP/COEP headers from the server). */
  crossOriginIsolated: boolean;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return response;
}

/** Fetches config.json, tokenizer.json and model.safetensors from `base` and builds the Translator. */
export async function loadBrowserTranslator(
  base = './model/',
): Promise<{ translator: Translator; bytes: number }> {
  const [config, tokenizers, weights] = await Promise.all([
    fetchOk(`${base}config.json`).then((r) => r.json()),
    fetchOk(`${base}tokenizer.json`).then((r) => r.json()),
    fetchOk(`${base}model.safetensors`).then((r) => r.arrayBuffer()),
  ]);
  return {
    translator: Translator.fromParts({ config, tokenizers, weights }, base),
    bytes: weights.byteLength,
  };
}

/**
 * Compiles the wasm kernels asynchronously (browsers limit synchronous compiles on the main thread) and starts
 * the worker threads where the page is cross-origin isolated.
 */
export async function initRuntime(): Promise<RuntimeInfo> {
  const wasmVariant = await initWasmBackend();
  const threads = await initThreads();
  return {
    backend: getBackend().name,
    wasmVariant,
    threads: Math.min(threads, getNumThreads()),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
  };
}
