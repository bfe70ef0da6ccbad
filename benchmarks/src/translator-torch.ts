// The PyTorch side of the translator comparison: writes a job (the app's resolved model config, its initial
// weights as raw float32, the encoded training pairs, every epoch's batch plan, the test sources and the training
// settings) into a temporary folder, runs torch/translator.py on it with the thread settings of src/torch.ts,
// and reads back what it trained and translated. Same ids, same batches, same initial weights as the app. With
// turns (startTorchTurns), the script trains only while the app does not: the two sides take turns of a few
// seconds of training time each, so a machine whose speed drifts over the minutes slows both alike.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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
  /** Training seconds per turn when the run takes turns with the app (startTorchTurns); 0: it runs alone. */
  turnSeconds: number;
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
      turn_seconds: job.turnSeconds,
      weights: { file: weightsFile, params: params.map(([name, p]) => [name, p.shape]) },
    }),
  );
  return jobFile;
}

/** Runs torch/translator.py on a job file written without turns; its progress lines go to our stderr. */
export function runTorchJob(jobFile: string, threads: number): Promise<TorchRun> {
  // The job has no turns; were the script to wait for one anyway, the closed stdin makes it exit with a message.
  const script = startScript(jobFile, threads, () => {});
  script.child.stdin.end();
  return script.result;
}

/** A torch/translator.py run that takes turns with the caller (a job written with turnSeconds > 0). */
export interface TorchTurns {
  /**
   * Lets the script train for one turn; resolves once it waits again, or once its training is over and it has
   * decoded and exited (`finished`).
   */
  take(): Promise<void>;
  readonly finished: boolean;
  /** What it trained and translated; settles when the script exits. */
  readonly result: Promise<TorchRun>;
}

/** Starts torch/translator.py on a job with turns; resolves when it has loaded and waits for its first turn. */
export async function startTorchTurns(jobFile: string, threads: number): Promise<TorchTurns> {
  let resume: (() => void) | null = null;
  const waiting = () => {
    const wake = resume;
    resume = null;
    wake?.();
  };
  const script = startScript(jobFile, threads, waiting);
  let finished = false;
  const exited = script.result.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  const nextPause = () => Promise.race([new Promise<void>((resolve) => (resume = resolve)), exited]);
  await nextPause();
  if (finished) await script.result; // it exited before its first turn: report why
  return {
    async take() {
      if (finished) return;
      const paused = nextPause();
      script.child.stdin.write('go\n');
      await paused;
      if (finished) await script.result;
    },
    get finished() {
      return finished;
    },
    result: script.result,
  };
}

/**
 * Spawns torch/translator.py on a job file. Its stdout is read line by line: {"waiting": …} lines call
 * `onWaiting`, and the last line is the run's JSON. Its progress lines go to our stderr.
 */
function startScript(
  jobFile: string,
  threads: number,
  onWaiting: () => void,
): { child: ChildProcessWithoutNullStreams; result: Promise<TorchRun> } {
  const child = spawn(PYTHON, ['translator.py', JSON.stringify({ job: jobFile, threads })], {
    cwd: TORCH_DIR,
    env: torchEnv(threads),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = new Promise<TorchRun>((resolve, reject) => {
    let last = '';
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{"waiting"')) onWaiting();
      else if (line.trim() !== '') last = line;
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
        const lastError = stderr.trim().split('\n').pop() ?? '';
        reject(new Error(`torch/translator.py exited with ${code ?? signal}: ${lastError}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as TorchRun);
      } catch {
        reject(new Error(`torch/translator.py printed no JSON: ${last.slice(0, 200)}`));
      }
    });
  });
  return { child, result };
}
