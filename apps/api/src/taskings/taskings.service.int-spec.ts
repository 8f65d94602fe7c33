/**
 * Issuing taskings to several LPAs against a real SQLite event store that fails one append: the
 * same request sent again with its Idempotency-Key completes what is missing, once, even after
 * the register has changed in between; a request naming an LPA not in the register issues nothing.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidCommandError } from '@app/domain';
import {
  type AppendResult,
  deterministicId,
  type EventToAppend,
  EventStoreUnavailableError,
  type ExpectedRevision,
} from '@app/event-store';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import type { CommandRequest } from '../commands/command-call';
import { LpaRegisterService } from './lpa-register.service';
import { TaskingCommands } from './taskings.service';

/** Fails appends to the streams it is told of, until told otherwise. */
class FlakyStore extends SqliteEventStore {
  readonly failing = new Set<string>();
  override appendToStream(streamId: string, events: readonly EventToAppend[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if ([...this.failing].some((id) => streamId.endsWith(id))) return Promise.reject(new EventStoreUnavailableError('the store went away'));
    return super.appendToStream(streamId, events, options);
  }
}

const folder = mkdtempSync(join(tmpdir(), 'taskings-service-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const NOW = '2017-11-30T10:00:00.000Z';
const terms = { title: 'Fill the intelligence requirement', instructions: 'Report what is known locally.', priority: 'high' as const, dueAt: '2017-12-14T17:00:00.000Z' };
const lead = { id: 'u-lead', name: 'Det Supt', role: 'strategic-lead' as const };
const request = (overrides: Partial<CommandRequest> = {}): CommandRequest => ({ actor: lead, commandId: randomUUID(), correlationId: randomUUID(), now: NOW, repeatable: true, ...overrides });

async function setUp(): Promise<{ store: FlakyStore; taskings: TaskingCommands; register: LpaRegisterService }> {
  const store = new FlakyStore({ file: join(folder, `${randomUUID()}.sqlite`) });
  const register = new LpaRegisterService(store);
  await register.onApplicationBootstrap();
  return { store, taskings: new TaskingCommands(store, register), register };
}

it('completes a half-issued request when it comes again with its key, once, even after its LPA ended', async () => {
  const { store, taskings, register } = await setUp();
  try {
    const first = request();
    // Telford & Wrekin's tasking fails: its id is the one the request derives for it.
    store.failing.add(deterministicId(`${first.commandId}/tasking/telford-and-wrekin`));
    await expect(taskings.issue(['shropshire', 'telford-and-wrekin'], terms, first)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    store.failing.clear();
    expect((await store.readAll()).filter((event) => event.type === 'TaskingIssued').map((event) => event.data.lpa)).toEqual(['shropshire']);

    // Shropshire ends before the retry: the tasking it already has stands, and the retry completes the rest.
    await register.record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2017-01-01', activeTo: '2017-11-29' }, request({ actor: { id: 'u-admin', name: 'Admin', role: 'admin' } }));
    const retry = await taskings.issue(['shropshire', 'telford-and-wrekin'], terms, { ...first, correlationId: randomUUID() });
    expect(retry.taskings.map((t) => t.lpa)).toEqual(['shropshire', 'telford-and-wrekin']);
    const issued = (await store.readAll()).filter((event) => event.type === 'TaskingIssued');
    expect(issued.map((event) => event.data.lpa).sort()).toEqual(['shropshire', 'telford-and-wrekin']);
    expect(issued.map((event) => event.data.taskingId).sort()).toEqual(retry.taskings.map((t) => t.id).sort());

    // A new request for the ended LPA is refused, and issues nothing for the others either.
    await expect(taskings.issue(['herefordshire', 'shropshire'], terms, request())).rejects.toBeInstanceOf(InvalidCommandError);
    expect((await store.readAll()).filter((event) => event.type === 'TaskingIssued')).toHaveLength(2);
  } finally {
    await store.close();
  }
});

it('answers with the first tasking as the id and the latest position of all', async () => {
  const { store, taskings } = await setUp();
  try {
    const answer = await taskings.issue(['herefordshire', 'shropshire', 'telford-and-wrekin'], terms, request({ repeatable: false }));
    const issued = (await store.readAll()).filter((event) => event.type === 'TaskingIssued');
    expect(answer).toMatchObject({ id: answer.taskings[0]!.id, revision: 0, position: String(issued.reduce((max, event) => (event.position > max ? event.position : max), 0n)) });
    expect(answer.taskings.map((t) => t.lpa)).toEqual(['herefordshire', 'shropshire', 'telford-and-wrekin']);
  } finally {
    await store.close();
  }
});
