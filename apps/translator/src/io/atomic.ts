/**
 * @file Files that are either the old version or the new one, never half written: write a temporary file in
 * the same directory, fsync it, rename it over the target (atomic on POSIX file systems), then fsync the
 * directory so the rename itself survives a crash.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `data` atomically. The temporary file is removed if anything fails.
 * @example await writeFileAtomic('checkpoints/model.json', JSON.stringify(state));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporary = join(
    directory,
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Writes `value` as indented JSON with a final newline, atomically. */
export async function writeJsonAtomic(path: string, value: unknown, indent = 2): Promise<void> {
  const json = JSON.stringify(value, null, indent);
  if (json === undefined) throw new TypeError(`writeJsonAtomic: cannot serialise ${typeof value} to JSON`);
  await writeFileAtomic(path, `${json}\n`);
}

/** Reads and parses a JSON file; a parse error names the file. */
export async function readJson<T = unknown>(path: string): Promise<T> {
  const source = await readFile(path, 'utf8');
  try {
    return JSON.parse(source) as T;
  } catch (error) {
    throw new SyntaxError(`readJson: ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/** fsync on a directory makes a rename in it durable; some platforms (Windows) cannot open one: skip there. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Best effort: the file itself is already complete and in place.
  } finally {
    await handle?.close();
  }
}
