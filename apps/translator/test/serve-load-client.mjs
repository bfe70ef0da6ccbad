/**
 * @file The load generator of serve-load.test.ts, run as its own process so that it does not share the server's
 * event loop: one burst of concurrent POST /api/translate requests, each on a fresh loopback connection, plus a
 * health check sent while they are in flight. Every `abortEvery`-th client hangs up after 5 ms. Prints
 * `{ outcomes: [{ status, ms }], health: { status, ms } }` as JSON; status is the HTTP status, 'aborted' for a
 * client that hung up, or the error code of a request that failed.
 *
 * Usage: node serve-load-client.mjs URL '{"sentences": [...], "concurrency": 200, "abortEvery": 20}'
 */
import { request } from 'node:http';

const [url, settingsJson] = process.argv.slice(2);
const { sentences, concurrency, abortEvery } = JSON.parse(settingsJson);

function send(method, path, body, abortAfterMs) {
  const started = performance.now();
  return new Promise((resolve) => {
    const headers =
      body === null ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
    const req = request(new URL(path, url), { method, agent: false, headers });
    const done = (status) => resolve({ status, ms: performance.now() - started });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode));
    });
    req.on('error', (error) => done(abortAfterMs !== undefined ? 'aborted' : (error.code ?? error.message)));
    if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
    req.end(body ?? undefined);
  });
}

const requests = Array.from({ length: concurrency }, (_, i) => {
  const body = JSON.stringify({ text: sentences[i % sentences.length], beam: 1 + (i % 2) });
  return send('POST', 'api/translate', body, i % abortEvery === abortEvery - 1 ? 5 : undefined);
});
await new Promise((resolve) => setTimeout(resolve, 5));
const health = await send('GET', 'api/health', null);
const outcomes = await Promise.all(requests);
process.stdout.write(JSON.stringify({ outcomes, health }));
