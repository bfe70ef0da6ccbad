import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand } from '../src/cli/commands/serve.js';
import { runCli } from '../src/cli/main.js';
import { loadServedModel, type ServedModel } from '../src/serve/served-model.js';
import { type RunningServer, startServer } from '../src/serve/server.js';
import { writeServeCheckpoint } from './serve-fixture.js';

let dir: string;
let model: ServedModel;
let server: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'translator-serve-'));
  await writeServeCheckpoint(join(dir, 'model', 'best'));
  await mkdir(join(dir, 'web'));
  await writeFile(join(dir, 'web', 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(join(dir, 'secret.txt'), 'not for the web');
  model = await loadServedModel(join(dir, 'model'));
  server = await startServer({ model, webDir: join(dir, 'web') });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function post(body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  return fetch(`${server.url}api/translate`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A POST whose body goes out in chunks, with no Content-Length: the server must count as it reads. */
function postChunked(chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}api/translate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('translator serve: the JSON API', () => {
  it('answers health with the model and the queue, with cross-origin isolation headers', async () => {
    const response = await fetch(`${server.url}api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await response.json()).toEqual({
      status: 'ok',
      model: { kind: 'attention', languages: { src: 'en', tgt: 'fr' } },
      queue: { size: 0, capacity: 64 },
    });
  });

  it('translates a sentence as the Translator does, with tokens and attention [target + 1, source]', async () => {
    const response = await post({ text: 'the red car is fast .' });
    expect(response.status).toBe(200);
    const { translations, elapsedMs } = await response.json();
    const [expected] = model.translator.translate(['the red car is fast .']);
    expect(translations).toEqual([expected]);
    expect(elapsedMs).toBeGreaterThan(0);
    const [{ sourceTokens, targetTokens, attention }] = translations;
    expect(sourceTokens).toEqual(['the', 'red', 'car', 'is', 'fast', '.']);
    // One row per decoding step: the target tokens, then the <eos> step unless decoding stopped at the default
    // maxLength (2 × 6 source tokens + 10), as this untrained model does.
    expect(attention).toHaveLength(Math.min(targetTokens.length + 1, 2 * 6 + 10));
    for (const row of attention) {
      expect(row).toHaveLength(6);
      expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('translates several sentences with a beam, and an empty sentence to an empty one', async () => {
    const texts = ['he sleeps .', '', 'the small dog is red .'];
    const response = await post({ text: texts, beam: 3 });
    expect(response.status).toBe(200);
    const { translations } = await response.json();
    expect(translations).toEqual(model.translator.translate(texts, { beamSize: 3 }));
    expect(translations[1]).toEqual({ text: '', sourceTokens: [], targetTokens: [], attention: null });
  });

  it('refuses requests over a limit with 400 naming the limit', async () => {
    const { limits } = server;
    const cases: [unknown, string, number][] = [
      [{ text: Array(limits.maxSentences + 1).fill('he sleeps .') }, 'maxSentences', limits.maxSentences + 1],
      [
        { text: ['he sleeps .', 'x'.repeat(limits.maxSentenceChars + 1)] },
        'maxSentenceChars',
        limits.maxSentenceChars + 1,
      ],
      [{ text: 'he sleeps . '.repeat(40) }, 'maxSentenceTokens', 120],
      [{ text: 'he sleeps .', beam: limits.maxBeam + 1 }, 'maxBeam', limits.maxBeam + 1],
    ];
    for (const [body, limit, got] of cases) {
      const response = await post(body);
      expect(response.status).toBe(400);
      const error = await response.json();
      expect(error).toMatchObject({ limit, got, max: limits[limit as keyof typeof limits] });
      expect(error.error).toContain(`(${limit})`);
    }
  });

  it('refuses a body over maxBodyBytes with 413, declared or streamed', async () => {
    const big = JSON.stringify({ text: 'he sleeps . '.repeat(7000) });
    expect(big.length).toBeGreaterThan(server.limits.maxBodyBytes);
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ limit: 'maxBodyBytes', max: 64 * 1024, got: big.length });
    const streamed = await postChunked(Array.from({ length: 10 }, () => 'x'.repeat(10_000)));
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ limit: 'maxBodyBytes' });
    // A small chunked body is fine.
    const small = await postChunked(['{"text":', '"he sleeps ."}']);
    expect(small.status).toBe(200);
  });

  it('answers malformed requests with 400 or 415 and a message', async () => {
    const bad: [unknown, RegExp][] = [
      ['{"text": "unclosed', /not valid JSON/],
      ['[1, 2]', /must be a JSON object/],
      [{ beam: 2 }, /"text" must be a string or a non-empty array/],
      [{ text: [] }, /non-empty array/],
      [{ text: ['ok', 3] }, /array of strings/],
      [{ text: 'he sleeps .', beam: 0 }, /"beam" must be a positive integer \(got 0\)/],
      [{ text: 'he sleeps .', beam: 1.5 }, /"beam" must be a positive integer/],
      [{ text: 'he sleeps .', beam: '2' }, /"beam" must be a positive integer \(got "2"\)/],
    ];
    for (const [body, message] of bad) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(message);
    }
    const form = await post('text=hello', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    for (const path of ['api/nothing', 'nothing.html', 'model/optimizer.json']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(404);
      expect((await response.json()).error).toMatch(/no such/);
    }
    const get = await fetch(`${server.url}api/translate`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const del = await fetch(`${server.url}`, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });

  it('serves the checkpoint files the server translates with, and the page, but nothing outside it', async () => {
    const weights = await fetch(`${server.url}model/model.safetensors`);
    expect(weights.status).toBe(200);
    expect(Buffer.from(await weights.arrayBuffer())).toEqual(
      await readFile(join(dir, 'model', 'best', 'model.safetensors')),
    );
    const head = await fetch(`${server.url}model/model.safetensors`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(
      model.files.get('model.safetensors')?.bytes.length,
    );
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const config = await (await fetch(`${server.url}model/config.json`)).json();
    expect(config.model.kind).toBe('attention');
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>page</title>');
    for (const outside of ['..%2fsecret.txt', '%2e%2e/secret.txt', '..%5csecret.txt']) {
      const response = await fetch(`${server.url}${outside}`);
      expect(response.status).toBe(404);
    }
  });
});

describe('translator serve: closing', () => {
  it('answers the requests it has read before closing, then refuses connections', async () => {
    const closing = await startServer({ model, webDir: join(dir, 'web') });
    // Each request takes ~0.1 s. Close once the server has read all five: closing drops connections that have
    // not sent a request yet, as Node's server.close() does.
    let read = 0;
    let answered = 0;
    const allRead = new Promise<void>((resolve) => {
      closing.server.on('request', (_req, res) => {
        res.on('finish', () => answered++);
        if (++read === 5) resolve();
      });
    });
    const body = JSON.stringify({ text: Array(16).fill('the red car is fast .'), beam: 8 });
    const inFlight = Array.from({ length: 5 }, () =>
      fetch(`${closing.url}api/translate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      }),
    );
    await allRead;
    const closed = closing.close().then(() => answered);
    expect(answered).toBeLessThan(5);
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await closed).toBe(5);
    await expect(fetch(`${closing.url}api/health`)).rejects.toThrow();
  });
});

describe('translator serve: the command', () => {
  it('needs --model and a valid port', async () => {
    const io = { log: () => {}, error: (line: string) => errors.push(line), readStdin: async () => '' };
    const errors: string[] = [];
    expect(await runCli(['serve'], io)).toBe(2);
    expect(errors.join('\n')).toMatch(/--model DIR is required/);
    expect(await runCli(['serve', '--model', dir, '--port', '70000'], io)).toBe(2);
    expect(errors.join('\n')).toMatch(/--port must be an integer ≥ 0 and ≤ 65535 \(got "70000"\)/);
    expect(await runCli(['serve', '--model', join(dir, 'none'), '--port', '0'], io)).toBe(1);
    expect(errors.join('\n')).toMatch(/no translator checkpoint at/);
  });

  it('prints the URL and serves until told to stop, then closes', async () => {
    const lines: string[] = [];
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let exit: Promise<number> = Promise.resolve(-1);
    const listening = new Promise<string>((resolve) => {
      const log = (line: string) => {
        lines.push(line);
        const url = /at (http:\/\/\S+)$/.exec(line)?.[1];
        if (url) resolve(url);
      };
      exit = serveCommand(['--model', join(dir, 'model'), '--port', '0'], log, () => stopped);
    });
    const url = await listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(lines[0]).toMatch(/serving .*best \(attention, en → fr\) at/);
    expect((await fetch(`${url}api/health`)).status).toBe(200);
    stop();
    expect(await exit).toBe(0);
    expect(lines.at(-1)).toBe('stopped');
    await expect(fetch(`${url}api/health`)).rejects.toThrow();
  });
});
