import type { LogFilter, RecordedEvent, SubscribeOptions, Subscription } from '../event-store';
import type { ChangeSignal } from './change-signal';

/** What the subscription needs of the store: one consistent page of the log per call. */
export interface PagedLog {
  readPage(after: bigint, filter: LogFilter | undefined, limit: number): { events: RecordedEvent[]; readUpTo: bigint };
}

const PAGE_SIZE = 512;

/**
 * Catch-up then live, by the same loop: read a page after the last position delivered; when the
 * log has nothing more, wait for a change and read again. The consumer pulls, so a slow consumer
 * holds at most one page in memory and never a lock: writers do not wait for it.
 */
export class SqliteSubscription implements Subscription {
  private readonly closing = new AbortController();
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;

  constructor(
    private readonly log: PagedLog,
    private readonly signal: ChangeSignal,
    options: SubscribeOptions,
    private readonly onClose: () => void,
  ) {
    this.iterator = this.follow(options.after ?? 0n, options.filter);
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      this.closing.abort();
      this.onClose();
    }
    return Promise.resolve();
  }

  private async *follow(start: bigint, filter: LogFilter | undefined): AsyncGenerator<RecordedEvent, void, undefined> {
    const closed = this.closing.signal;
    let after = start;
    try {
      while (!closed.aborted) {
        const stamp = this.signal.stamp();
        const page = this.log.readPage(after, filter, PAGE_SIZE);
        for (const event of page.events) {
          if (closed.aborted) return;
          yield event;
        }
        after = page.readUpTo;
        if (page.events.length === 0) {
          await this.signal.changedSince(stamp, closed);
        } else {
          // A consumer that never waits would otherwise hold the event loop for the whole
          // catch-up: let timers, requests and this process's own appends in between pages.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      await this.close();
    }
  }
}
