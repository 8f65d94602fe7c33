/** The read model's own errors, for the HTTP layer and the projector to tell apart from bugs. */
import { DomainError } from '@app/domain';

/**
 * Read your writes: the projection had not reached the position the caller wrote at within the
 * time allowed. A dependency that is behind, not a client error: the HTTP layer answers 503 with
 * `Retry-After: retryAfterSeconds`.
 */
export class ProjectionLagError extends Error {
  constructor(
    /** The position the caller asked for. */
    readonly position: bigint,
    /** Where the projection stood when the wait gave up. */
    readonly reached: bigint,
    readonly waitedMs: number,
    readonly retryAfterSeconds = 1,
  ) {
    super(`The read model has reached position ${reached}, not yet ${position}, after waiting ${waitedMs} ms`);
    this.name = 'ProjectionLagError';
  }
}

/**
 * The stored checkpoint is behind where this projector had applied up to: someone reset it (a
 * rebuild). The projector must follow the log again from the stored checkpoint; applying its
 * events would leave a hole.
 */
export class ProjectionCheckpointMovedError extends Error {
  constructor(
    readonly projection: string,
    readonly checkpoint: bigint,
    readonly expectedAtLeast: bigint,
  ) {
    super(
      `Projection ${projection}: its checkpoint is at ${checkpoint}, behind ${expectedAtLeast} where this projector had got to (was it rebuilt?)`,
    );
    this.name = 'ProjectionCheckpointMovedError';
  }
}

/**
 * A query's parameters are not usable (a cursor, a limit, an instant). A validation error of the
 * domain's taxonomy, so the HTTP layer's one exception filter answers it with a 400 as it does
 * any other.
 */
export class InvalidQueryError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(field: string, message: string) {
    super(`${field} ${message}`, [{ field, message }]);
  }
}

/**
 * The message of anything thrown. Read by shape: better-sqlite3's errors keep the class of the
 * first realm that loaded it, so `instanceof Error` fails in any other (a jest sandbox, for one).
 */
export function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}
