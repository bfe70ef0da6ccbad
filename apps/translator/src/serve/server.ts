/**
 * @file `translator serve`'s HTTP server (node:http):
 *   POST /api/translate   { "text": string | string[], "beam"?: number } → { translations: [{ text,
 *                         sourceTokens, targetTokens, attention }], elapsedMs }
 *   GET  /api/health      { status: "ok", model, queue }
 *   GET  /model/config.json | tokenizer.json | model.safetensors   the checkpoint, for the page to run in the browser
 *   GET  /…               the built web page (dist/web)
 * Every answer carries COOP/COEP headers: they make the page cross-origin isolated, which is what gives it
 * SharedArrayBuffer, so the tensor package's wasm backend can run matmuls on Web Worker threads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { HttpError, sendError, sendJson } from './http-error.js';
import { resolveServeLimits, type ServeLimits } from './limits.js';
import type { ServedModel } from './served-model.js';
import { sendStaticFile } from './static-files.js';
import { parseTranslateRequest, readBody } from './translate-request.js';
import { JobAbortedError, QueueFullError, WorkQueue } from './work-queue.js';

export interface ServeOptions {
  model: ServedModel;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** The built page (default: dist/web beside this module's dist/serve). */
  webDir?: string;
  limits?: Partial<ServeLimits>;
  /** A request still running this long after close() began is cut off (default 5 s). */
  closeGraceMs?: number;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  server: Server;
  limits: ServeLimits;
  queue: WorkQueue;
  /** Stops accepting, lets queued work finish (up to the grace period), then closes every connection. */
  close(): Promise<void>;
}

const defaultWebDir = fileURLToPath(new URL('../web/', import.meta.url));

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { model, port = 0, host = '127.0.0.1', webDir = defaultWebDir, closeGraceMs = 5000 } = options;
  const limits = resolveServeLimits(options.limits);
  const queue = new WorkQueue(limits.maxQueue);
  const { translator } = model;
  const countTokens = (text: string) => translator.source.tokens(text).length;

  async function translateRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/json\b/i.test(type)) {
      throw new HttpError(415, `expected Content-Type application/json (got ${type})`);
    }
    const request = parseTranslateRequest(await readBody(req, limits.maxBodyBytes), limits, countTokens);
    // A client that hangs up while queued does not cost a translation.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    let started = 0;
    const translations = await queue.run(() => {
      started = performance.now();
      return translator.translate(request.texts, { beamSize: request.beamSize });
    }, gone.signal);
    sendJson(res, 200, { translations, elapsedMs: Math.round((performance.now() - started) * 100) / 100 });
  }

  function healthRoute(res: ServerResponse): void {
    sendJson(res, 200, {
      status: 'ok',
      model: { kind: translator.config.model.kind, languages: translator.config.languages },
      queue: { size: queue.size, capacity: queue.capacity },
    });
  }

  function modelFileRoute(res: ServerResponse, name: string): void {
    const file = model.files.get(name);
    if (!file) {
      throw new HttpError(
        404,
        `no such model file: ${name} (there are ${[...model.files.keys()].join(', ')})`,
      );
    }
    res.writeHead(200, {
      'Content-Type': file.contentType,
      'Content-Length': file.bytes.length,
      'Cache-Control': 'no-cache',
    });
    res.end(file.bytes);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://server');
    const method = req.method ?? 'GET';
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) {
        throw new HttpError(
          405,
          `${method} ${pathname} is not allowed (use ${methods.join(' or ')})`,
          {},
          { Allow: methods.join(', ') },
        );
      }
    };
    if (pathname === '/api/translate') {
      allow(['POST']);
      return translateRoute(req, res);
    }
    if (pathname === '/api/health') {
      allow(['GET', 'HEAD']);
      return healthRoute(res);
    }
    if (pathname.startsWith('/api/')) throw new HttpError(404, `no such API route: ${pathname}`);
    allow(['GET', 'HEAD']);
    if (pathname.startsWith('/model/')) return modelFileRoute(res, pathname.slice('/model/'.length));
    return sendStaticFile(res, webDir, pathname);
  }

  const server = createServer(async (req, res) => {
    for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
    try {
      await route(req, res);
    } catch (error) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendError(res, error);
      else if (error instanceof QueueFullError) {
        sendError(
          res,
          new HttpError(503, `server busy: ${error.message}; retry shortly`, {}, { 'Retry-After': '1' }),
        );
      } else if (error instanceof JobAbortedError) res.destroy();
      else
        sendError(
          res,
          new HttpError(500, `internal error: ${error instanceof Error ? error.message : String(error)}`),
        );
    }
  });
  // A client may not hold a connection open by sending its request slowly.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, closeGraceMs).unref());
      await Promise.race([queue.idle(), grace]);
      // Keep-alive connections turn idle as their last answers go out: close each once it has.
      const sweep = setInterval(() => server.closeIdleConnections(), 20);
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  return { url: `http://${shownHost}:${address.port}/`, server, limits, queue, close };
}
