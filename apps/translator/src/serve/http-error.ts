/** @file Errors that become an HTTP answer: a status and a JSON body `{ error, …details }`. */
import type { ServerResponse } from 'node:http';

export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    /** Extra fields of the JSON body, e.g. `{ limit: 'maxSentences', max: 16 }`. */
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A request over one of the limits (limits.ts): 400 naming the limit, its value and what was sent. */
export function overLimit(limit: string, max: number, got: number, message: string): HttpError {
  return new HttpError(400, message, { limit, max, got });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(json);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: error.message, ...error.details }, error.headers);
}
