// PyTorch contenders sampled in turn with Tensorloom's. A suite's script (torch/<suite>.py with "serve" set) stays
// up after its set-up and answers "warm" and "sample" requests on stdin (torch/common.py, finish()), so that
// measureRoundRobin takes a PyTorch sample between Tensorloom's: on a shared machine whose speed changes from minute
// to minute, both sides of a ratio are then measured under the same conditions, not minutes apart.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Timed } from './timing.js';
import { PYTHON, torchEnv } from './torch.js';

const TORCH_DIR = fileURLToPath(new URL('../torch/', import.meta.url));

/** One long-lived torch/<suite>.py at a fixed thread count. */
export class TorchSession {
  private readonly pending: ((line: string) => void)[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** The script's ready line: its checks, threads and BLAS. */
    readonly info: Record<string, unknown>,
    lines: AsyncIterator<string>,
  ) {
    void this.pump(lines);
  }

  /** Starts the script with `config` (and `input` on stdin), and waits for its ready line. */
  static async start(
    suite: 'mlp' | 'lstm' | 'transformer',
    config: object,
    threads: number,
    input: Uint8Array,
  ): Promise<TorchSession> {
    const child = spawn(
      PYTHON,
      [`${suite}.py`, JSON.stringify({ ...config, threads, serve: true, input_bytes: input.byteLength })],
      { cwd: TORCH_DIR, env: torchEnv(threads), stdio: 'pipe' },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const failed = new Promise<never>((_, reject) => {
      child.on('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(err.code === 'ENOENT' ? `${PYTHON} not found` : err.message)),
      );
      child.on('exit', (code) => reject(new Error(`exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}`)));
    });
    failed.catch(() => {}); // also observed below; this keeps a later exit from being unhandled
    child.stdin.write(input);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await Promise.race([lines.next(), failed]);
    if (first.done)
      throw new Error(`${suite}.py ended before it was ready: ${stderr.trim().split('\n').pop()}`);
    return new TorchSession(child, JSON.parse(first.value), lines);
  }

  private async pump(lines: AsyncIterator<string>): Promise<void> {
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      this.pending.shift()?.(next.value);
    }
    // The script is gone: fail whatever still waits for an answer.
    for (const resolve of this.pending.splice(0)) resolve('{"error": "the torch script exited"}');
  }

  private request(line: string): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => {
      this.pending.push((answer) => {
        const parsed = JSON.parse(answer) as Record<string, number> & { error?: string };
        if (parsed.error) reject(new Error(parsed.error));
        else resolve(parsed);
      });
      this.child.stdin.write(`${line}\n`);
    });
  }

  /** A contender for measureRoundRobin whose calls run `name` in the script (timed there, not here). */
  timed(name: string): Timed {
    return {
      remote: {
        warm: async (ms) => (await this.request(`warm ${name} ${ms}`)).fastest * 1e3,
        sample: async (iters, rewarm) =>
          (await this.request(`sample ${name} ${iters}${rewarm ? ' rewarm' : ''}`)).seconds * 1e3,
      },
    };
  }

  close(): void {
    this.child.stdin.end('quit\n');
  }
}

/** A session per thread count, or why it could not start (the reason goes in the column's cells and notes). */
export async function startSessions(
  suite: 'mlp' | 'lstm' | 'transformer',
  config: object,
  threadCounts: readonly number[],
  input: Uint8Array,
  progress: (message: string) => void,
): Promise<Map<number, TorchSession | Error>> {
  const sessions = new Map<number, TorchSession | Error>();
  for (const threads of threadCounts) {
    progress(`${suite}: starting torch at ${threads} thread(s), sampled in turn with Tensorloom…`);
    try {
      sessions.set(threads, await TorchSession.start(suite, config, threads, input));
    } catch (err) {
      sessions.set(threads, err instanceof Error ? err : new Error(String(err)));
    }
  }
  return sessions;
}

/** The note under a table naming a torch column's threads and BLAS, with a warning when it takes every core. */
export function threadsNote(label: string, threads: number, info: Record<string, unknown>): string {
  const cores = cpus().length;
  const busy =
    threads > 1 && cores <= threads ? ` (all ${cores} cores: only meaningful on an idle machine)` : '';
  return `${label}: torch.get_num_threads() = ${info.threads}, BLAS ${info.blas ?? '?'}${busy}`;
}
