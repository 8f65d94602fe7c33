import { getEventListeners } from 'node:events';
import { ChangeSignal } from './change-signal';

describe('ChangeSignal', () => {
  let version = 0;
  let signal: ChangeSignal;
  beforeEach(() => {
    signal = new ChangeSignal(`/nowhere/${Math.random()}`, 3_600_000, () => version);
  });
  afterEach(() => signal.dispose());

  it('leaves nothing behind on the subscription’s abort signal after each wake', async () => {
    const closing = new AbortController();
    for (let n = 0; n < 1_000; n += 1) {
      const waiting = signal.changedSince(signal.stamp(), closing.signal);
      signal.notify();
      await waiting;
    }
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  it('answers at once when the log changed between the stamp and the wait', async () => {
    const stamp = signal.stamp();
    version += 1; // another process committed in between
    await signal.changedSince(stamp, new AbortController().signal);
  });

  it('ends a wait when the subscription closes', async () => {
    const closing = new AbortController();
    const waiting = signal.changedSince(signal.stamp(), closing.signal);
    closing.abort();
    await waiting;
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });
});
