// TensorFlow.js setup: the pure-JS `cpu` backend and the `wasm` backend (XNNPACK), loaded from
// this package's node_modules. We record which .wasm binary the backend actually asked for, so
// the header can show that the SIMD build is the one being measured.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

export type TfBackend = 'cpu' | 'wasm';

export interface TfInfo {
  version: string;
  /** Why the wasm backend is unusable, or null when it works. */
  wasmError: string | null;
  /** The .wasm binary that was loaded, e.g. tfjs-backend-wasm-simd.wasm. */
  wasmBinary: string | null;
  wasmSimd: boolean;
  wasmThreads: boolean;
}

const require = createRequire(import.meta.url);
const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export async function setupTf(): Promise<TfInfo> {
  // PROD only silences TF.js's console hints (e.g. "install tfjs-node"); it changes no kernel.
  tf.enableProdMode();
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  // A file map whose reads after set-up are recorded: the backend looks up exactly one binary.
  const requested: string[] = [];
  let recording = false;
  const files = Object.fromEntries(WASM_BINARIES.map((name) => [name, path.join(dist, name)]));
  const recorded = new Proxy(files, {
    get(target, key) {
      if (recording && typeof key === 'string') requested.push(key);
      return Reflect.get(target, key);
    },
  });
  setWasmPaths(recorded);
  recording = true;

  const info: TfInfo = {
    version: tf.version_core,
    wasmError: null,
    wasmBinary: null,
    wasmSimd: false,
    wasmThreads: false,
  };
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    info.wasmSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.wasmThreads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    info.wasmBinary = requested.find((name) => name.endsWith('.wasm')) ?? null;
  } catch (err) {
    info.wasmError =
      err instanceof Error ? err.message : String((err as { message?: unknown }).message ?? err);
  }
  recording = false;
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  return info;
}

export async function useBackend(name: TfBackend): Promise<void> {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend(${JSON.stringify(name)}) failed`);
}

/** A TF.js op over inputs that live on one backend. */
export interface TfOp {
  inputs: tf.Tensor[];
  run: () => tf.Tensor;
}

export interface TfContender {
  /** Selects the backend (call before `run`, untimed). */
  enter: () => Promise<void>;
  /** The op, disposing its output: TF.js needs explicit disposal, unlike the others. */
  fn: () => void;
  /** One result, copied out, for the correctness check. */
  output: () => Promise<Float32Array>;
  dispose: () => void;
}

/**
 * Creates the op's inputs on `backend` (so no sample pays for moving data between backends), or
 * says why that backend cannot run.
 */
export async function tfContender(
  info: TfInfo,
  backend: TfBackend,
  make: () => TfOp,
): Promise<TfContender | string> {
  if (backend === 'wasm' && info.wasmError !== null) return 'n/a (see below)';
  const enter = () => useBackend(backend);
  await enter();
  const { inputs, run } = make();
  return {
    enter,
    fn: () => run().dispose(),
    output: async () => {
      await enter();
      const out = run();
      const data = (out.dataSync() as Float32Array).slice();
      out.dispose();
      return data;
    },
    dispose: () => {
      for (const t of inputs) t.dispose();
    },
  };
}
