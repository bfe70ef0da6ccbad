import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseSafetensors, SafetensorsError, serializeSafetensors } from '@tensorloom/nn';
import { type Tensor, tensor } from '@tensorloom/tensor';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
// By path: packages/nn/tsconfig.json maps only '@tensorloom/nn' (vitest also maps '@tensorloom/nn/node').
import { loadSafetensors, saveSafetensors } from '../src/node.js';

// Hooks into node:fs/promises as node.ts sees it, to fail a write or a rename at a chosen moment.
const hooks = vi.hoisted(() => ({
  beforeRename: null as null | ((from: string, to: string) => void | Promise<void>),
  failWriteAfterBytes: null as null | number,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      await hooks.beforeRename?.(from, to);
      return actual.rename(from, to);
    },
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      const limit = hooks.failWriteAfterBytes;
      if (limit !== null) {
        // A disk that fills up part-way through the write.
        handle.writeFile = async (data: any) => {
          await handle.write(new Uint8Array(data).subarray(0, limit));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        };
      }
      return handle;
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorloom-node-'));
});
afterEach(() => {
  hooks.beforeRename = null;
  hooks.failWriteAfterBytes = null;
  rmSync(dir, { recursive: true, force: true });
});

const stateDict = (): Record<string, Tensor> => ({
  'linear.weight': tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: 'float32' },
  ),
  'linear.bias': tensor([0.5, -0.5], { dtype: 'float64' }),
  steps: tensor(12, { dtype: 'int32' }),
  mask: tensor([true, false]),
});

describe('saveSafetensors / loadSafetensors', () => {
  it('round-trips a state dict and metadata through a file', async () => {
    const path = join(dir, 'model.safetensors');
    await saveSafetensors(path, stateDict(), { format: 'pt', step: '12' });
    expect(readFileSync(path)).toEqual(
      Buffer.from(serializeSafetensors(stateDict(), { format: 'pt', step: '12' })),
    );
    const { tensors, metadata } = await loadSafetensors(path);
    expect(metadata).toEqual({ format: 'pt', step: '12' });
    for (const [name, t] of Object.entries(stateDict())) {
      expect([tensors[name].dtype, tensors[name].shape]).toEqual([t.dtype, t.shape]);
      expect(tensors[name].toArray()).toEqual(t.toArray());
    }
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temporary file left behind
  });

  it('replaces an existing file', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old contents');
    await saveSafetensors(path, { w: tensor([7], { dtype: 'int32' }) });
    expect((await loadSafetensors(path)).tensors.w.item()).toBe(7);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('writes the whole file under a temporary name in the same directory, then renames it', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old contents');
    const expected = Buffer.from(serializeSafetensors(stateDict()));
    let seen: { from: string; to: string } | null = null;
    hooks.beforeRename = (from, to) => {
      seen = { from, to };
      expect(dirname(from)).toBe(dir);
      expect(from).not.toBe(path);
      expect(readFileSync(from)).toEqual(expected); // complete before it gets the real name
      expect(readFileSync(path, 'utf8')).toBe('old contents'); // the target is untouched until the rename
    };
    await saveSafetensors(path, stateDict());
    expect(seen).toMatchObject({ to: path });
    expect(readFileSync(path)).toEqual(expected);
  });

  it('leaves the old file and no temporary file when the rename fails', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'old contents');
    hooks.beforeRename = () => {
      throw Object.assign(new Error('EXDEV: simulated crash before rename'), { code: 'EXDEV' });
    };
    await expect(saveSafetensors(path, stateDict())).rejects.toThrow('simulated crash before rename');
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('leaves no file at all when the write fails part-way and nothing was there', async () => {
    const path = join(dir, 'model.safetensors');
    hooks.failWriteAfterBytes = 20;
    await expect(saveSafetensors(path, stateDict())).rejects.toThrow('ENOSPC');
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails when the target is a directory, without touching it', async () => {
    const path = join(dir, 'taken');
    mkdirSync(path);
    await expect(saveSafetensors(path, stateDict())).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(path)).toEqual([]);
  });

  it('rejects an invalid state dict before touching the disk', async () => {
    const path = join(dir, 'model.safetensors');
    await expect(saveSafetensors(path, { w: 'not a tensor' as unknown as Tensor })).rejects.toThrow(
      SafetensorsError,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a corrupt file as a SafetensorsError, and a missing one as the file system error', async () => {
    const path = join(dir, 'model.safetensors');
    const bytes = serializeSafetensors(stateDict());
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    await expect(loadSafetensors(path)).rejects.toThrow(SafetensorsError);
    await expect(loadSafetensors(join(dir, 'missing.safetensors'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(() => parseSafetensors(bytes)).not.toThrow();
  });
});
