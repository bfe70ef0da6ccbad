/** @file Whether a module is the script Node was started with (`node dist/cli/main.js`, or through a bin link). */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @example if (isMainModule(import.meta.url)) main(); */
export function isMainModule(moduleUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
