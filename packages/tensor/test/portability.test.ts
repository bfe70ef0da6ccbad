/** The library runs unchanged in browsers: no Node built-ins, no Node globals, no Math.random in src/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('portability', () => {
  const files = sourceFiles(srcDir);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [f.slice(srcDir.length + 1), f]))('%s uses no Node-only API', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    for (const pattern of nodeOnly) expect(text).not.toMatch(pattern);
    expect(text).not.toMatch(/Math\.random\(/);
  });
});
