import type { ActualRevision, ExpectedRevision } from './event-store';

/** Base of the event store's own errors, so callers can tell them from bugs. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** Optimistic concurrency: the stream was not at the revision the writer decided on. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'wrong-expected-revision';
  constructor(
    readonly streamId: string,
    readonly expectedRevision: ExpectedRevision,
    readonly actualRevision: ActualRevision,
  ) {
    super(
      `Stream ${streamId}: expected revision ${String(expectedRevision)}, actual ${String(actualRevision)}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id already stands in the log for another event. */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'duplicate-event-id';
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
  ) {
    super(`Stream ${streamId}: event id(s) already used in the log: ${eventIds.join(', ')}`);
    this.name = 'DuplicateEventIdError';
  }
}

/** The request to the store was malformed (not a transient failure). */
export class InvalidAppendError extends EventStoreError {
  readonly code = 'invalid-append';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidAppendError';
  }
}

/** The store could not be reached or did not answer in time: a dependency failure, retryable. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'event-store-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}
