// Which Tensorloom the numbers belong to: the repo commit, whether packages/tensor has uncommitted
// changes, and whether its dist/ is older than its src/ (i.e. the run measured stale code).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** e.g. "commit 3ca6d10 + uncommitted changes in packages/tensor; dist is OLDER than src". */
export function tensorloomProvenance(): string {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('@tensorloom/tensor/package.json'));
  } catch {
    return 'package not found';
  }
  const parts: string[] = [];
  const commit = git(pkgDir, ['rev-parse', '--short', 'HEAD']);
  if (commit !== null) {
    const dirty = git(pkgDir, ['status', '--porcelain', '--', '.']);
    parts.push(`commit ${commit}${dirty ? ' + uncommitted changes in packages/tensor' : ''}`);
  }
  try {
    const stale = newestMtime(path.join(pkgDir, 'src')) > newestMtime(path.join(pkgDir, 'dist'));
    if (stale) parts.push('dist/ is OLDER than src/ (rebuild: pnpm --filter @tensorloom/tensor build)');
  } catch {
    // no src or dist to compare
  }
  return parts.join('; ');
}
