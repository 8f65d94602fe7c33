import type { RecordedEvent } from './event-store';

/**
 * Events read from a subscription ahead of the work that uses them, up to a high-water mark: while
 * one batch is being worked on the next one gathers, so batches are as large as what is waiting
 * (a single event when the log is quiet, full batches when catching up). For the followers of the
 * log (the read model's projection, the tasking flow's).
 */
export class ReadAhead {
  private readonly items: RecordedEvent[] = [];
  private closed = false;
  private ended: { readonly error?: unknown } | undefined;
  private readonly readable = new Wakeup();
  private readonly writable = new Wakeup();

  constructor(private readonly highWaterMark: number) {}

  /** Reads `source` into the queue until it ends, fails, or the queue is closed. Never rejects. */
  async fill(source: AsyncIterable<RecordedEvent>): Promise<void> {
    try {
      for await (const event of source) {
        this.items.push(event);
        this.readable.wake();
        while (this.items.length >= this.highWaterMark && !this.closed) await this.writable.wait();
        if (this.closed) break;
      }
      this.ended = {};
    } catch (error) {
      this.ended = { error };
    } finally {
      this.readable.wake();
    }
  }

  /**
   * Up to `max` events, waiting for at least one. Empty once closed; throws when the source
   * failed or ended by itself, after what it had delivered has been taken.
   */
  async take(max: number): Promise<RecordedEvent[]> {
    while (this.items.length === 0 && !this.closed) {
      if (this.ended) {
        const failure: unknown = this.ended.error ?? new Error('The subscription to the log ended by itself');
        throw failure;
      }
      await this.readable.wait();
    }
    const batch = this.items.splice(0, max);
    this.writable.wake();
    return batch;
  }

  close(): void {
    this.closed = true;
    this.readable.wake();
    this.writable.wake();
  }
}

/** One waiter, woken once. */
class Wakeup {
  private waiter: (() => void) | undefined;

  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
