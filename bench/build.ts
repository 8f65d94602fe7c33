/**
 * The built apps a benchmark runs: built again (`npm run build`) when an entry is missing or older
 * than a source of apps/ or libs/, or always with BENCH_BUILD=1; never with BENCH_BUILD=0.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/support/processes';

/** `entries`: paths under the repository, e.g. `dist/apps/api/src/main.js`. */
export function ensureBuild(entries: readonly string[]): void {
  const paths = entries.map((entry) => join(ROOT, entry));
  const build = process.env.BENCH_BUILD ?? 'auto';
  const stale = (): boolean =>
    paths.some((path) => !existsSync(path)) ||
    Math.min(...paths.map((path) => statSync(path).mtimeMs)) < Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')));
  if (build === '1' || (build !== '0' && stale())) {
    console.log('Building (npm run build)...');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }
  for (const path of paths) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build`);
  }
}

/** The newest modification time under `dir` of files ending in `.ts`, not specs. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('spec.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}
