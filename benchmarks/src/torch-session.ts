// PyTorch contenders sampled in turn with Tensorloom's. A suite's script (torch/<suite>.py with "serve" set) stays
// up after its set-up and answers "warm" and "sample" requests on stdin (torch/common.py, finish()), so that
// measureRoundRobin takes a PyTorch sample between Tensorloom's: on a shared machine whose speed changes from minute
// to minute, both sides of a ratio are then measured under the same conditions, not minutes apart (--interleave).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Context } from './suite.js';
import type { Timed } from './timing.js';
import { PYTHON, torchEnv } from './torch.js';

/** PyTorch's thread counts in the suites that compare against it. */
const TORCH_THREADS = [1, 2] as const;

const TORCH_DIR = fileURLToPath(new URL('../torch/', import.meta.url));

/** A float32 array the torch scripts sent as base64 (their check outputs and gradients). */
export const fromBase64 = (b64: string): Float32Array => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

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

/**
 * A suite's PyTorch columns, one per thread count, each with its running script (null when there is none). With
 * torch available and the script started, `ready` builds the column from the script's ready line and a note names
 * its threads and BLAS; otherwise `unavailable` builds one whose cells say why: the state's text when torch is
 * missing, 'error' (with a note) when the script failed. `close` ends the scripts.
 */
export async function torchColumns<C>(
  ctx: Context,
  suite: 'mlp' | 'lstm' | 'transformer',
  config: object,
  input: () => Uint8Array,
  notes: string[],
  build: {
    ready(threads: number, info: Record<string, unknown>): C;
    unavailable(threads: number, cell: string): C;
  },
): Promise<{ columns: [C, TorchSession | null][]; close: () => void }> {
  const state = ctx.torch;
  if (!state.ok) {
    return { columns: TORCH_THREADS.map((t) => [build.unavailable(t, state.cell), null]), close: () => {} };
  }
  const bytes = input();
  const columns: [C, TorchSession | null][] = [];
  for (const threads of TORCH_THREADS) {
    ctx.progress(`${suite}: starting torch at ${threads} thread(s)…`);
    try {
      const session = await TorchSession.start(suite, config, threads, bytes);
      notes.push(threadsNote(`torch (${threads} thr)`, threads, session.info));
      columns.push([build.ready(threads, session.info), session]);
    } catch (err) {
      notes.push(`torch ${suite} (${threads} thr) failed: ${err instanceof Error ? err.message : err}`);
      columns.push([build.unavailable(threads, 'error'), null]);
    }
  }
  const close = () => {
    for (const [, session] of columns) session?.close();
  };
  return { columns, close };
}

/** The note under a table naming a torch column's threads and BLAS, with a warning when it takes every core. */
function threadsNote(label: string, threads: number, info: Record<string, unknown>): string {
  const cores = cpus().length;
  const busy =
    threads > 1 && cores <= threads ? ` (all ${cores} cores: only meaningful on an idle machine)` : '';
  return `${label}: torch.get_num_threads() = ${info.threads}, BLAS ${info.blas ?? '?'}${busy}`;
}
