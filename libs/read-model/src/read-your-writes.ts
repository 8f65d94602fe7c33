/**
 * Read your writes (API.md): a query given `?position=N` answers only once the projection has
 * applied every event up to N. The checkpoint table is the truth and is polled, so a projector in
 * another process is seen too; a projector in this process also wakes the waiters as soon as it
 * commits, so that the usual wait is one transaction, not one poll interval.
 */
import { ProjectionLagError } from './errors';
import { GOVERNANCE_PROJECTION, readCheckpoint } from './projection/checkpoints';
import type { ReadModelDatabase } from './schema';

export const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_POLL_INTERVAL_MS = 25;

/** Per database handle (the projector and the queries of one process share it): its commits so far, and who waits. */
const commits = new WeakMap<object, number>();
const waiters = new WeakMap<object, Set<() => void>>();

/** Called after a projection's transaction has committed: wakes this process's waiters. */
export function notifyCheckpointAdvanced(db: object): void {
  commits.set(db, (commits.get(db) ?? 0) + 1);
  for (const wake of [...(waiters.get(db) ?? [])]) wake();
}

export interface WaitForPositionOptions {
  /** How long to wait before giving up with a ProjectionLagError (default 5 s). */
  readonly timeoutMs?: number;
  /** How often to read the checkpoint when no projector in this process says it moved (default 25 ms). */
  readonly pollIntervalMs?: number;
  readonly projection?: string;
}

/**
 * Resolves with the checkpoint once it is at or past `position`; rejects with a
 * ProjectionLagError when it is not by the deadline. A database that cannot be read rejects with
 * its own error, at once.
 */
export async function waitForPosition(
  database: ReadModelDatabase,
  position: bigint,
  options: WaitForPositionOptions = {},
): Promise<bigint> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const name = options.projection ?? GOVERNANCE_PROJECTION;
  const started = Date.now();
  const deadline = started + timeoutMs;

  // Counted before each read, so that a commit landing between the read and the wait is not missed.
  let seen = commits.get(database.db) ?? 0;
  let reached = await readCheckpoint(database.db, name);
  while (reached < position) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ProjectionLagError(position, reached, Date.now() - started);
    await nextChance(database.db, seen, Math.min(pollIntervalMs, remaining));
    seen = commits.get(database.db) ?? 0;
    reached = await readCheckpoint(database.db, name);
  }
  return reached;
}

/** Resolves once a projector of this process has committed since `seen`, or after `ms`. */
function nextChance(db: object, seen: number, ms: number): Promise<void> {
  if ((commits.get(db) ?? 0) !== seen) return Promise.resolve();
  let set = waiters.get(db);
  if (!set) {
    set = new Set();
    waiters.set(db, set);
  }
  const registered = set;
  return new Promise<void>((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      registered.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    registered.add(wake);
  });
}
