// The header printed above the tables: when, on what, with which versions.
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { mallocLine } from './malloc.js';
import { tensorloomProvenance } from './provenance.js';
import type { TorchState } from './suite.js';
import { type Loaded, missingExports, type Tensorloom } from './tensorloom.js';
import type { TfInfo } from './tfjs.js';
import type { TimingOptions } from './timing.js';
import { PYTHON } from './torch.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** e.g. "backend js" or "backend js; registered: js, wasm". */
function tensorloomBackend(tl: Tensorloom): string {
  const current = missingExports(tl, ['getBackend']).length === 0 ? tl.getBackend().name : '?';
  const all = missingExports(tl, ['listBackends']).length === 0 ? tl.listBackends() : [];
  return all.length > 1 ? `backend ${current}; registered: ${all.join(', ')}` : `backend ${current}`;
}

export function header(tl: Loaded, tf: TfInfo, torch: TorchState, timing: TimingOptions): string {
  const cpus = os.cpus();
  const wasm =
    tf.wasmError !== null
      ? `unavailable (${tf.wasmError})`
      : `${tf.wasmBinary} (SIMD ${tf.wasmSimd ? 'on' : 'OFF'}, threads ${tf.wasmThreads ? 'on' : 'off'})`;
  const torchLine = torch.ok
    ? `${torch.info.torch} via ${PYTHON}, ${torch.info.threads} thread, BLAS ${torch.info.blas ?? '?'}`
    : `n/a (${torch.error})`;
  const lines = [
    `Tensorloom benchmarks — ${new Date().toISOString()}`,
    `  node ${process.version} (${process.platform}-${process.arch}), CPU: ${cpus[0]?.model.trim() ?? '?'} × ${cpus.length}, load avg ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `  Tensorloom: ${tl.ok ? `${tl.version} (${tensorloomBackend(tl.tl)}), ${tensorloomProvenance()}` : `MISSING — ${tl.error}`}`,
    `  TF.js: tfjs-core ${tf.version}, tfjs-backend-cpu ${packageVersion('@tensorflow/tfjs-backend-cpu')}, tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')}; wasm binary: ${wasm}`,
    `  torch: ${torchLine}`,
    mallocLine(),
    `  timing: median of ${timing.runs} samples per contender after ≥${timing.warmupMs} ms warm-up; a sample batches calls to ≈${timing.sampleMs} ms; JS contenders sampled round-robin`,
  ];
  return lines.join('\n');
}
