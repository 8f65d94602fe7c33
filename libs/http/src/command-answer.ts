/**
 * The answer to a command (API.md, Command answers): `{ id, revision, position }` at least, with
 * `position` as a decimal string (a global log position may pass 2^53).
 */
import type { CommandResult, EventStore } from '@app/event-store';

export interface CommandAnswer {
  readonly id: string;
  readonly revision: number;
  readonly position: string;
}

/** The answer for a command whose last event has this revision and position. */
export function toCommandAnswer(id: string, revision: number, position: bigint): CommandAnswer {
  return { id, revision, position: position.toString() };
}

/**
 * The answer for `handleCommand`'s result: `id` is the aggregate's id (not its stream's), `extra`
 * any further fields the route promises (`actionId`, `recommendations`, ...). A command that
 * appended nothing (its decision was already the state) answers with the stream's last event, so
 * that `?position=` still waits for the state the answer describes.
 */
export async function commandAnswer<Extra extends object = Record<never, never>>(
  store: EventStore,
  id: string,
  result: Pick<CommandResult<unknown, unknown>, 'streamId' | 'revision' | 'position'>,
  extra?: Extra,
): Promise<CommandAnswer & Extra> {
  let { revision, position } = result;
  if (position === undefined) {
    const [last] = await store.readStream(result.streamId, { direction: 'backwards', maxCount: 1 });
    if (last === undefined) {
      throw new Error(`a command on ${result.streamId} appended nothing to a stream that does not exist: nothing to answer with`);
    }
    revision = last.revision;
    position = last.position;
  }
  if (revision === 'no_stream') {
    throw new Error(`a command on ${result.streamId} answered no revision although the stream has events`);
  }
  return { ...(extra as Extra), ...toCommandAnswer(id, revision, position) };
}
