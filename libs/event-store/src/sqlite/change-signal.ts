import { BroadcastChannel } from 'node:worker_threads';

/** The signals of one file in this thread, and the channel that carries their news to and from the process's other threads. */
interface FilePeers {
  readonly signals: Set<ChangeSignal>;
  readonly channel: BroadcastChannel;
}

/**
 * Wakes idle subscriptions when the log may have grown. Appends made in this process announce
 * themselves at once: to the stores of this thread directly, and to those of the process's other
 * threads (a projector run as a worker thread beside the api) over a BroadcastChannel named after
 * the file. Commits by other processes are noticed by polling SQLite's `PRAGMA data_version`,
 * which changes when another connection commits. The poll runs only while someone is waiting.
 */
export class ChangeSignal {
  private static readonly byFile = new Map<string, FilePeers>();

  private generation = 0;
  private readonly waiters = new Set<{ readonly stamp: string; readonly wake: () => void }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly pollIntervalMs: number,
    private readonly dataVersion: () => number,
  ) {
    let peers = ChangeSignal.byFile.get(file);
    if (!peers) {
      const channel = new BroadcastChannel(`sqlite-event-store:${file}`);
      const signals = new Set<ChangeSignal>();
      // Another thread of this process committed to the file (a channel hears only the others).
      channel.onmessage = () => {
        for (const signal of signals) signal.changed();
      };
      // Listening must not keep the thread alive.
      channel.unref();
      peers = { signals, channel };
      ChangeSignal.byFile.set(file, peers);
    }
    peers.signals.add(this);
  }

  /** Take this before reading; `changedSince` then cannot miss a commit made after the read. */
  stamp(): string {
    return `${this.generation}:${this.dataVersion()}`;
  }

  /** Tells every store open on the same file in this process, in any thread, that it has just committed. */
  notify(): void {
    const peers = ChangeSignal.byFile.get(this.file);
    if (!peers) return;
    for (const signal of peers.signals) signal.changed();
    peers.channel.postMessage(null);
  }

  /** Resolves once the log may have changed since `stamp` was taken, or when `abort` fires. */
  changedSince(stamp: string, abort: AbortSignal): Promise<void> {
    if (abort.aborted || this.stamp() !== stamp) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        this.stopIfIdle();
        resolve();
      };
      const waiter = {
        stamp,
        wake: () => {
          // Woken by a change: the abort listener goes too, so nothing piles up on a signal
          // that lives as long as the subscription.
          abort.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      abort.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.startPolling();
    });
  }

  dispose(): void {
    const peers = ChangeSignal.byFile.get(this.file);
    if (peers?.signals.delete(this) && peers.signals.size === 0) {
      peers.channel.close();
      ChangeSignal.byFile.delete(this.file);
    }
    for (const waiter of this.waiters) waiter.wake();
    this.waiters.clear();
    this.stopIfIdle();
  }

  private changed(): void {
    this.generation += 1;
    this.wakeChanged();
  }

  private wakeChanged(): void {
    if (this.waiters.size === 0) return;
    const now = this.stamp();
    for (const waiter of this.waiters) {
      if (waiter.stamp !== now) {
        this.waiters.delete(waiter);
        waiter.wake();
      }
    }
    this.stopIfIdle();
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.wakeChanged(), this.pollIntervalMs);
    // A subscription waiting for news must not keep the process alive on its own.
    this.timer.unref();
  }

  private stopIfIdle(): void {
    if (this.waiters.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
