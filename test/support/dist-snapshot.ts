/**
 * A private copy of the built apps, for a test that starts processes again and again over its
 * whole run (the crash test restarts the projector a dozen times): a rebuild in the working tree
 * meanwhile (another jest run's global setup, `npm run build`: both empty dist/ first) cannot take
 * their files away mid-run; bench/tasking-latency.bench.ts runs its apps from one for the same
 * reason. The copy finds its packages through NODE_PATH (the working tree's node_modules).
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, waitFor } from './processes';

export interface DistSnapshot {
  /** The copy's path of an entry given as in the working tree, e.g. `dist/apps/api/src/main.js`. */
  entry(path: string): string;
  /** What a process started from the copy needs in its environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** Copies dist/ into `folder` once each of `entries` (paths under dist/) is there. */
export async function snapshotDist(folder: string, entries: readonly string[]): Promise<DistSnapshot> {
  const copy = join(folder, 'dist');
  const complete = (root: string): boolean => entries.every((entry) => existsSync(join(root, entry)));
  await waitFor(
    () => {
      if (!complete(ROOT)) return false;
      try {
        rmSync(copy, { recursive: true, force: true });
        cpSync(join(ROOT, 'dist'), copy, { recursive: true });
      } catch {
        // dist/ emptied by a rebuild while it was being copied: try again.
        return false;
      }
      return complete(folder);
    },
    { what: `a complete dist/ to copy (${entries.join(', ')}): is a build running? Or run npm run build`, timeoutMs: 60_000 },
  );
  return {
    entry: (path) => join(folder, path),
    env: { NODE_PATH: join(ROOT, 'node_modules') },
  };
}
