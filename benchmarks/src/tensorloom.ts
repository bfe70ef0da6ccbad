// Loads @tensorloom/tensor (its built dist/) at run time, so that the other columns still run when
// the package is not built yet or fails to load; the Tensorloom column then says why.
import { createRequire } from 'node:module';
import type * as TL from '@tensorloom/tensor';

export type Tensorloom = typeof TL;
export type Loaded =
  | { ok: true; tl: Tensorloom; version: string }
  | { ok: false; error: string /** Short text for the table cells. */; cell: string };

const require = createRequire(import.meta.url);

export async function loadTensorloom(): Promise<Loaded> {
  let version = '?';
  try {
    version = (require('@tensorloom/tensor/package.json') as { version: string }).version;
  } catch {
    // reported below by the import itself
  }
  try {
    const tl = (await import('@tensorloom/tensor')) as Tensorloom;
    return { ok: true, tl, version };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND') {
      return {
        ok: false,
        error: 'not built (run `pnpm --filter @tensorloom/tensor build`)',
        cell: 'n/a (not built)',
      };
    }
    return { ok: false, error: `failed to load: ${e.message ?? String(err)}`, cell: 'n/a (load error)' };
  }
}

/** The named functions missing from the loaded module, e.g. while the package is being written. */
export function missingExports(tl: Tensorloom, names: readonly string[]): string[] {
  const mod = tl as unknown as Record<string, unknown>;
  return names.filter((name) => typeof mod[name] !== 'function');
}
