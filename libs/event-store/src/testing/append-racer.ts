/**
 * A child process of the contract suite's concurrency cases. It opens the store described by the
 * JSON in argv[2] and appends when the parent says go, so that several OS processes race on the
 * same stream at the same instant.
 */
import { createEventStore, type EventStoreConfig } from '../create-event-store';
import { WrongExpectedRevisionError } from '../errors';
import type { ExpectedRevision } from '../event-store';
import { testEvent, testEvents } from './events';

export type RacerCommand =
  | { kind: 'prepare'; round: number; streamId: string; expectedRevision: ExpectedRevision }
  | { kind: 'go' }
  | { kind: 'bulk'; streamId: string; count: number; batch: number }
  | { kind: 'exit' };

export type RacerReply =
  | { kind: 'ready' }
  | { kind: 'prepared'; round: number }
  | { kind: 'outcome'; round: number; outcome: 'appended' | 'conflict'; revision?: number; position?: string }
  | { kind: 'bulk-done'; positions: string[] }
  | { kind: 'failed'; message: string };

const config = JSON.parse(process.argv[2] ?? '{}') as EventStoreConfig;
const store = createEventStore(config);
let prepared: Extract<RacerCommand, { kind: 'prepare' }> | undefined;
const racerId = process.argv[3] ?? String(process.pid);

function send(reply: RacerReply): void {
  process.send?.(reply);
}

async function handle(command: RacerCommand): Promise<void> {
  switch (command.kind) {
    case 'prepare':
      prepared = command;
      send({ kind: 'prepared', round: command.round });
      return;
    case 'go': {
      if (!prepared) throw new Error('go before prepare');
      const { round, streamId, expectedRevision } = prepared;
      try {
        const result = await store.appendToStream(streamId, [testEvent('RaceWon', { round, racer: racerId })], {
          expectedRevision,
        });
        send({
          kind: 'outcome',
          round,
          outcome: 'appended',
          revision: result.nextExpectedRevision,
          position: result.position.toString(),
        });
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        send({ kind: 'outcome', round, outcome: 'conflict' });
      }
      return;
    }
    case 'bulk': {
      const positions: string[] = [];
      for (let written = 0; written < command.count; written += command.batch) {
        const events = testEvents(Math.min(command.batch, command.count - written), 'BulkAppended');
        const result = await store.appendToStream(command.streamId, events, { expectedRevision: 'any' });
        positions.push(result.position.toString());
      }
      send({ kind: 'bulk-done', positions });
      return;
    }
    case 'exit':
      await store.close();
      process.exit(0);
  }
}

process.on('message', (command: RacerCommand) => {
  handle(command).catch((error: unknown) => {
    send({ kind: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  });
});
send({ kind: 'ready' });
