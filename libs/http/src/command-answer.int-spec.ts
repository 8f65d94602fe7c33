import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, type EventStore } from '@app/event-store';
import { commandAnswer, toCommandAnswer } from './command-answer';

describe('command answers', () => {
  const folder = mkdtempSync(join(tmpdir(), 'command-answer-'));
  let store: EventStore;
  beforeAll(() => {
    store = createEventStore({ kind: 'sqlite', file: join(folder, 'events.sqlite') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const metadata = { actor: { id: 'u', name: 'u', role: 'admin' }, correlationId: 'c', causationId: 'c', occurredAt: '2017-11-30T10:00:00.000Z' };

  it('writes the position as a decimal string, past 2^53 too', () => {
    expect(toCommandAnswer('r-1', 3, 2n ** 60n)).toEqual({ id: 'r-1', revision: 3, position: '1152921504606846976' });
  });

  it("answers with the command's last event, and any further fields", async () => {
    expect(await commandAnswer(store, 'r-1', { streamId: 's', revision: 2, position: 17n }, { actionId: 'a-1' })).toEqual({
      id: 'r-1',
      revision: 2,
      position: '17',
      actionId: 'a-1',
    });
  });

  it("answers a command that appended nothing with the stream's last event", async () => {
    const streamId = `thing-${randomUUID()}`;
    const event = () => ({ id: randomUUID(), type: 'Happened', data: {}, metadata });
    await store.appendToStream(streamId, [event(), event()], { expectedRevision: 'no_stream' });
    const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });

    expect(await commandAnswer(store, 'thing', { streamId, revision: 1, position: undefined })).toEqual({
      id: 'thing',
      revision: 1,
      position: String(last!.position),
    });
  });

  it('has nothing to answer for a command that appended nothing to no stream', async () => {
    await expect(commandAnswer(store, 'x', { streamId: `thing-${randomUUID()}`, revision: 'no_stream', position: undefined })).rejects.toThrow(
      /appended nothing/,
    );
  });
});
