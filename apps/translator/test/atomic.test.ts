import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../src/io/atomic.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'translator-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one, leaving no temporary file behind', async () => {
    const path = join(dir, 'model.json');
    await writeFileAtomic(path, 'first');
    expect(await readFile(path, 'utf8')).toBe('first');
    await writeFileAtomic(path, new TextEncoder().encode('second'));
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['model.json']);
  });

  it('keeps the old file and removes the temporary one when the rename fails', async () => {
    const target = join(dir, 'occupied');
    await writeFile(join(dir, 'keep.txt'), 'old');
    // A non-empty directory in the way makes the rename fail after the temporary file is written.
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('old');
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.json'), 'x')).rejects.toThrow(/ENOENT/);
  });
});

describe('JSON helpers', () => {
  it('round-trip a value as indented JSON with a final newline', async () => {
    const path = join(dir, 'vocab.json');
    const value = { type: 'vocab', tokens: ['<pad>', 'é', '"quoted"'] };
    await writeJsonAtomic(path, value);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(`${JSON.stringify(value, null, 2)}\n`);
    expect(await readJson(path)).toEqual(value);
  });

  it('name the file on a parse error and refuse values JSON cannot hold', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ not json');
    await expect(readJson(path)).rejects.toThrow(`readJson: ${path} is not valid JSON`);
    await expect(writeJsonAtomic(join(dir, 'u.json'), undefined)).rejects.toThrow(
      /cannot serialise undefined/,
    );
  });
});
