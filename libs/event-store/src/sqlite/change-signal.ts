/**
 * Wakes idle subscriptions when the log may have grown. Appends made in this process announce
 * themselves at once; commits by other processes are noticed by polling SQLite's
 * `PRAGMA data_version`, which changes when another connection commits. The poll runs only while
 * someone is waiting.
 */
export class ChangeSignal {
  private static readonly byFile = new Map<string, Set<ChangeSignal>>();

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
      peers = new Set();
      ChangeSignal.byFile.set(file, peers);
    }
    peers.add(this);
  }

  /** Take this before reading; `changedSince` then cannot miss a commit made after the read. */
  stamp(): string {
    return `${this.generation}:${this.dataVersion()}`;
  }

  /** Tells every store open on the same file in this process that it has just committed. */
  notify(): void {
    for (const peer of ChangeSignal.byFile.get(this.file) ?? []) {
      peer.generation += 1;
      peer.wakeChanged();
    }
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
    peers?.delete(this);
    if (peers?.size === 0) ChangeSignal.byFile.delete(this.file);
    for (const waiter of this.waiters) waiter.wake();
    this.waiters.clear();
    this.stopIfIdle();
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
