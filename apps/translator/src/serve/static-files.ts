/**
 * @file The built web page's files (dist/web), served read-only from one directory: the URL path is decoded,
 * normalised and must stay inside that directory.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { HttpError } from './http-error.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Sends the file at URL path `pathname` from `root` (index.html for `/`), or throws a 404 HttpError. (For a HEAD
 * request node:http sends the headers alone.)
 */
export async function sendStaticFile(res: ServerResponse, root: string, pathname: string): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(400, `bad URL path encoding: ${pathname}`);
  }
  const base = resolve(root);
  const path = join(base, normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded));
  if (path !== base && !path.startsWith(base + sep)) throw new HttpError(404, `no such file: ${pathname}`);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    const hint = pathname === '/' ? ' (the web page is not built: run "pnpm build" in apps/translator)' : '';
    throw new HttpError(404, `no such file: ${pathname}${hint}`);
  }
  const bytes = await readFile(path);
  res.writeHead(200, {
    'Content-Type': contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': bytes.length,
    // Vite names bundles by content hash; index.html must be revalidated to pick up a new build.
    'Cache-Control': path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(bytes);
}
