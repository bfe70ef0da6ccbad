/// <reference types="node" />
/**
 * @file `@tensorloom/nn/node`: safetensors files on disk. Node-only; the byte-level reader and writer in the main
 * entry run anywhere.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '@tensorloom/tensor';
import { parseSafetensors, type SafetensorsContents, serializeSafetensors } from './safetensors/index.js';

export type { SafetensorsContents } from './safetensors/index.js';

/**
 * Writes a state dict to `path` as safetensors, atomically: the bytes go to a temporary file in the same
 * directory, are flushed to disk, and only then renamed over `path`. A crash or error at any point leaves
 * either the old file or the complete new one at `path`, never a partial file.
 * @example
 * await saveSafetensors('model.safetensors', model.stateDict(), { step: '1000' });
 */
export async function saveSafetensors(
  path: string,
  stateDict: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = serializeSafetensors(stateDict, metadata); // invalid input throws before the disk is touched
  // Same directory, so the rename cannot cross file systems (where it would stop being atomic).
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let file: Awaited<ReturnType<typeof open>> | null = null;
  try {
    file = await open(temp, 'wx');
    await file.writeFile(bytes);
    await file.sync(); // the data is on disk before the name points at it
    await file.close();
    file = null;
    await rename(temp, path);
  } catch (error) {
    await file?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Reads a safetensors file. The tensors are copies; the file's bytes are not kept. Malformed files throw a
 * SafetensorsError naming the tensor and the problem.
 * @example
 * const { tensors, metadata } = await loadSafetensors('model.safetensors');
 * model.loadStateDict(tensors);
 */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  return parseSafetensors(await readFile(path));
}

/** Makes the rename itself durable. Best effort: some platforms (Windows) cannot open or sync a directory. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // The file is complete either way; only its survival across a power loss right now is less certain.
  }
}
