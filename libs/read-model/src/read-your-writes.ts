/**
 * Read your writes (API.md): a query given `?position=N` answers only once the projection has
 * applied every event up to N. The checkpoint table is the truth and is polled, so a projector in
 * another process is seen too; a projector in this process, in this thread or another (the
 * standalone app runs it in a worker thread), also wakes the waiters as soon as it commits, so
 * that the usual wait is one transaction, not one poll interval.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { ProjectionLagError } from './errors';
import { GOVERNANCE_PROJECTION, readCheckpoint } from './projection/checkpoints';
import type { ReadModelDatabase } from './schema';

export const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_POLL_INTERVAL_MS = 25;

/**
 * Commits announced in this process so far, and who waits for the next. Not per database: a
 * waiter woken by another database's commit reads its checkpoint once more and waits again.
 */
let commits = 0;
const waiters = new Set<() => void>();
let channel: BroadcastChannel | undefined;

function announced(): void {
  commits += 1;
  for (const wake of [...waiters]) wake();
}

/** The channel to and from this process's other threads, opened by the first to announce or wait. */
function threads(): BroadcastChannel {
  if (!channel) {
    channel = new BroadcastChannel('read-model-checkpoints');
    // A channel hears only the others: this thread's own commits are announced directly.
    channel.onmessage = announced;
    // Listening must not keep the thread alive.
    channel.unref();
  }
  return channel;
}

/** Called after a projection's transaction has committed: wakes this process's waiters, in every thread. */
export function notifyCheckpointAdvanced(): void {
  announced();
  threads().postMessage(null);
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

  threads();
  // Counted before each read, so that a commit landing between the read and the wait is not missed.
  let seen = commits;
  let reached = await readCheckpoint(database.db, name);
  while (reached < position) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ProjectionLagError(position, reached, Date.now() - started);
    await nextChance(seen, Math.min(pollIntervalMs, remaining));
    seen = commits;
    reached = await readCheckpoint(database.db, name);
  }
  return reached;
}

/** Resolves once a projector of this process has committed since `seen`, or after `ms`. */
function nextChance(seen: number, ms: number): Promise<void> {
  if (commits !== seen) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      waiters.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    waiters.add(wake);
  });
}
