/**
 * A load test on loopback: bursts of 200 concurrent translation requests from another process, each on its own
 * connection, some of whose clients hang up early. Every request must get 200 or 503 (never a reset or a 500), health must answer
 * during and after a burst, and the heap must not grow from burst to burst. The numbers are logged.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCorpus } from '../src/corpus/builtin.js';
import { loadServedModel } from '../src/serve/served-model.js';
import { type RunningServer, startServer } from '../src/serve/server.js';
import { writeServeCheckpoint } from './serve-fixture.js';

const run = promisify(execFile);
const concurrency = 200;
const bursts = 3;

let dir: string;
let server: RunningServer;
const sentences = builtinCorpus({ seed: 11, size: 300, maxLength: 12 }).train.map((pair) => pair.src);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'translator-serve-load-'));
  await writeServeCheckpoint(join(dir, 'model'));
  server = await startServer({ model: await loadServedModel(join(dir, 'model')), webDir: dir });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  status: number | string;
  ms: number;
}

const client = fileURLToPath(new URL('./serve-load-client.mjs', import.meta.url));

/** One burst from a separate process (serve-load-client.mjs), so that client and server do not share a loop. */
async function burst(burstSentences: string[]): Promise<{ outcomes: Outcome[]; health: Outcome }> {
  const settings = JSON.stringify({ sentences: burstSentences, concurrency, abortEvery: 20 });
  const { stdout } = await run(process.execPath, [client, server.url, settings], { maxBuffer: 16 * 2 ** 20 });
  return JSON.parse(stdout);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const collectGarbage = (() => {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
})();

function heapMiB(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('translator serve under load', () => {
  it(`answers ${concurrency} concurrent requests with 200 or 503 and stays up, with bounded memory`, async () => {
    const heap: number[] = [];
    const all: Outcome[] = [];
    const health: Outcome[] = [];
    const lastTranslation: number[] = []; // per burst: ms until its slowest 200 arrived
    for (let i = 0; i < bursts; i++) {
      const { outcomes, health: check } = await burst(sentences.slice(i * 50, i * 50 + 50));
      all.push(...outcomes);
      health.push(check);
      lastTranslation.push(Math.max(0, ...outcomes.filter((o) => o.status === 200).map((o) => o.ms)));
      await server.queue.idle();
      heap.push(heapMiB());
    }

    const statuses = new Map<Outcome['status'], number>();
    for (const { status } of all) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const ok = all
      .filter((o) => o.status === 200)
      .map((o) => o.ms)
      .sort((a, b) => a - b);
    const busy = all
      .filter((o) => o.status === 503)
      .map((o) => o.ms)
      .sort((a, b) => a - b);
    const ms = (values: number[]) =>
      values.length === 0
        ? 'none'
        : `p50 ${percentile(values, 50).toFixed(1)} · p90 ${percentile(values, 90).toFixed(1)} · p99 ${percentile(values, 99).toFixed(1)} · max ${values.at(-1)?.toFixed(1)} ms`;
    console.log(
      [
        `serve load: ${bursts} bursts × ${concurrency} concurrent requests (queue capacity ${server.limits.maxQueue})`,
        `  statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
        `  200 latency ${ms(ok)}`,
        `  503 latency ${ms(busy)}`,
        `  health during bursts ${health.map((o) => `${o.status} in ${o.ms.toFixed(1)} ms`).join(', ')}`,
        `  heap after each burst (MiB) ${heap.map((h) => h.toFixed(1)).join(', ')}`,
      ].join('\n'),
    );

    // Every answer is a 200 or a 503; only the clients that hung up got none.
    expect([...statuses.keys()].every((s) => s === 200 || s === 503 || s === 'aborted')).toBe(true);
    expect(statuses.get('aborted') ?? 0).toBeLessThanOrEqual((bursts * concurrency) / 20);
    // The queue takes maxQueue requests at a time: at least that many per burst succeed, the rest are refused.
    expect(ok.length).toBeGreaterThanOrEqual(bursts * (server.limits.maxQueue - concurrency / 20));
    expect(busy.length).toBeGreaterThan(0);
    // Health is answered during a burst, not after it: sent 5 ms after the translations, it comes back before the
    // last of them (an ordering, not a latency bound, so a loaded machine does not make it flaky).
    health.forEach((check, i) => {
      expect(check.status).toBe(200);
      expect(5 + check.ms).toBeLessThan(lastTranslation[i]);
    });
    const after = await fetch(`${server.url}api/health`);
    expect(after.status).toBe(200);
    expect((await after.json()).queue.size).toBe(0);
    // Later bursts must not keep what earlier ones allocated.
    expect(Math.max(...heap.slice(1)) - heap[0]).toBeLessThan(16);
  }, 60_000);
});
