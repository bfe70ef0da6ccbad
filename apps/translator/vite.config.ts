/**
 * @file Bundles the translator's web page (web/) into dist/web, which `translator serve` serves. The page imports
 * the app's own modules (../src) and the @tensorloom packages, so the model runs in the browser on the same code
 * as in Node. Like vitest.config.ts, @tensorloom/* resolves to each package's source, so the page builds without
 * the packages being built first; @tensorloom/tensor resolves to src/index.ts, the browser entry that its
 * package.json `default` condition names (the `node` condition's entry starts worker_threads).
 */
/// <reference types="node" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const fromHere = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const packages = ['tensor', 'nn', 'nn-rnn', 'nn-attention', 'losses', 'optim', 'positional'];

/** What the page and the server send for cross-origin isolation (SharedArrayBuffer, so wasm threads). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fromHere('web'),
  base: './',
  resolve: {
    alias: packages.map((name) => ({
      find: new RegExp(`^@tensorloom/${name}$`),
      replacement: fromHere(`../../packages/${name}/src/index.ts`),
    })),
  },
  build: {
    outDir: fromHere('dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  // `vite` (dev mode) serves the page with hot reload; the model files and the API come from a running
  // `translator serve` (TRANSLATOR_SERVER, default http://127.0.0.1:8080).
  server: {
    headers: isolationHeaders,
    proxy: Object.fromEntries(
      ['/api', '/model'].map((path) => [path, process.env.TRANSLATOR_SERVER ?? 'http://127.0.0.1:8080']),
    ),
  },
  preview: { headers: isolationHeaders },
});
