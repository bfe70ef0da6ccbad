/**
 * The library runs unchanged in browsers: no Node built-ins, no Node globals, no Math.random in src/ — except in
 * the Node entry point (package.json's `node` export condition), which nothing else in src/ may import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const nodeOnly = [
  /from ['"]node:/,
  /from ['"](fs|path|os|child_process|worker_threads|crypto|url|util|v8|vm)['"]/,
  /\brequire\(/,
  /\bprocess\./,
  /\bBuffer\./,
  /__dirname/,
];

/** Node-only by design: it installs a worker_threads factory (src/platform/node.ts). */
const nodeEntries = ['platform/node.ts'];

describe('portability', () => {
  const files = sourceFiles(srcDir).map((path) => ({
    path,
    name: relative(srcDir, path).split(sep).join('/'),
  }));
  const portable = files.filter((file) => !nodeEntries.includes(file.name));

  it('finds the sources, and the Node entry points', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.length - portable.length).toBe(nodeEntries.length);
  });

  it.each(portable.map((f) => [f.name, f.path]))('%s uses no Node-only API', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    for (const pattern of nodeOnly) expect(text).not.toMatch(pattern);
    expect(text).not.toMatch(/Math\.random\(/);
  });

  it.each(portable.map((f) => [f.name, f.path]))('%s does not import a Node entry point', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    for (const entry of nodeEntries) {
      const path = entry.replace(/\.ts$/, '');
      expect(text).not.toMatch(new RegExp(`(from|import\\()\\s*['"][^'"]*${path}(\\.js)?['"]`));
    }
  });
});
