/**
 * A request's claim on its Idempotency-Key, from the guard that took it to the answer that
 * settles it. Two places see that answer, and each settles its own kind: the exception filter
 * a failure (it is the one that knows the answer: `answerFor`), the reply's send hook a success.
 * Kept beside the request, and taken out by the first to settle it, so it is settled once.
 */
import type { ErrorAnswer } from '../error-answer';
import type { StoredAnswer } from './idempotency.store';

export interface PendingClaim {
  /** The request succeeded with this answer: stored, and replayed to repeats. Never rejects. */
  succeeded(answer: StoredAnswer): Promise<void>;
  /** The request failed with this answer: stored if final, else the key is let go. Never rejects. */
  failed(answer: ErrorAnswer): Promise<void>;
  /** The request was answered with nothing that can be stored and replayed: the key is let go. Never rejects. */
  released(): Promise<void>;
}

const claims = new WeakMap<object, PendingClaim>();
const replayed = new WeakSet<object>();

export function holdClaim(request: object, claim: PendingClaim): void {
  claims.set(request, claim);
}

/**
 * The request was answered with a stored answer, by the guard: the refusal Nest raises after a
 * guard says no is not to be answered, the reply being on its way already.
 */
export function markReplayed(request: object): void {
  replayed.add(request);
}

export function wasReplayed(request: object): boolean {
  return replayed.has(request);
}

/** The request's claim, if it holds one still; after this, it holds none. */
export function takeClaim(request: object): PendingClaim | undefined {
  const claim = claims.get(request);
  if (claim) claims.delete(request);
  return claim;
}
