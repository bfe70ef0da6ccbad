// The PyTorch side of the translator comparison: writes a job (the app's resolved model config, its initial
// weights as raw float32, the encoded training pairs, every epoch's batch plan, the test sources and the training
// settings) into a temporary folder, runs torch/translator.py on it with the thread settings of src/torch.ts,
// and reads back what it trained and translated. Same ids, same batches, same initial weights as the app.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, torchEnv } from './torch.js';
import type { EncodedPair, ModelConfig, TrainingSettings, TranslatorModel } from './translator-app.js';

const TORCH_DIR = fileURLToPath(new URL('../torch/', import.meta.url));

export interface TorchJob {
  dir: string;
  model: TranslatorModel;
  config: ModelConfig;
  training: TrainingSettings;
  train: readonly EncodedPair[];
  plans: number[][][];
  testSources: readonly (readonly number[])[];
  minutes: number;
  seed: number;
}

export interface TorchRun {
  steps: number;
  tokens: number;
  seconds: number;
  epochs: number;
  plans_reused: boolean;
  initial_loss: number;
  parameters: number;
  hypotheses: number[][];
  torch: string;
  threads: number;
  blas: string | null;
}

/** Writes the job files; call before the app trains `model` (its current weights are the ones sent). */
export async function writeTorchJob(job: TorchJob): Promise<string> {
  const params = job.model.namedParameters();
  const weights = Buffer.concat(
    params.map(([, p]) => {
      const values = Float32Array.from(p.dataSync() as ArrayLike<number>);
      return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    }),
  );
  const weightsFile = join(job.dir, 'weights.f32');
  await writeFile(weightsFile, weights);
  const jobFile = join(job.dir, 'job.json');
  await writeFile(
    jobFile,
    JSON.stringify({
      model: job.config,
      training: job.training,
      train: { src: job.train.map((p) => p.src), tgt: job.train.map((p) => p.tgt) },
      plans: job.plans,
      test_src: job.testSources,
      minutes: job.minutes,
      seed: job.seed,
      weights: { file: weightsFile, params: params.map(([name, p]) => [name, p.shape]) },
    }),
  );
  return jobFile;
}

/** Runs torch/translator.py on a job file; its progress lines go to our stderr. */
export function runTorchJob(jobFile: string, threads: number): Promise<TorchRun> {
  const env = torchEnv(threads);
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['translator.py', JSON.stringify({ job: jobFile, threads })], {
      cwd: TORCH_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `${PYTHON} not found` : error.message)),
    );
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const last = stderr.trim().split('\n').pop() ?? '';
        reject(new Error(`torch/translator.py exited with ${code ?? signal}: ${last}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as TorchRun);
      } catch {
        reject(new Error(`torch/translator.py printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}
