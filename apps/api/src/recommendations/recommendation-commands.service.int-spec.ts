import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionAlreadyRegisteredError } from '@app/domain';
import {
  type AppendResult,
  EventStoreUnavailableError,
  type EventToAppend,
  type ExpectedRevision,
} from '@app/event-store';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import { STOLEN_FREEDOM_RECOMMENDATIONS } from '../../../../libs/domain/src/testing/stolen-freedom';
import type { CommandRequest } from '../commands/command-call';
import { RecommendationCommands } from './recommendation-commands.service';

/** The real store, failing every append to a recommendation stream while `down` is set. */
class FlakyStore extends SqliteEventStore {
  down = false;
  override appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (this.down && streamId.startsWith('recommendation-')) {
      return Promise.reject(new EventStoreUnavailableError('the store went away'));
    }
    return super.appendToStream(streamId, events, options);
  }
}

describe('registering an inspection', () => {
  const folder = mkdtempSync(join(tmpdir(), 'register-inspection-'));
  let store: FlakyStore;
  let commands: RecommendationCommands;
  const body = {
    id: 'stolen-freedom',
    title: 'Stolen Freedom',
    inspectorate: 'HMICFRS',
    publishedOn: '2017-10-24',
    recommendations: STOLEN_FREEDOM_RECOMMENDATIONS,
  };
  const request = (): CommandRequest => ({
    actor: { id: 'u-lead', name: 'Det Supt', role: 'strategic-lead' },
    commandId: randomUUID(),
    correlationId: randomUUID(),
    now: '2017-11-30T10:00:00.000Z',
  });

  beforeEach(() => {
    store = new FlakyStore({ file: join(folder, `${randomUUID()}.sqlite`) });
    commands = new RecommendationCommands(store);
  });
  afterEach(() => store.close());
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('completes a registration that failed between its steps when the same request comes again', async () => {
    store.down = true;
    await expect(commands.registerInspection(body, request())).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(await store.readStream('recommendation-stolen-freedom-1')).toEqual([]);

    store.down = false;
    const answer = await commands.registerInspection(body, request());

    expect(answer.recommendations.map((r) => r.id)).toEqual(body.recommendations.map((r) => `stolen-freedom-${r.number}`));
    for (const { id } of answer.recommendations) expect(await store.readStream(`recommendation-${id}`)).toHaveLength(1);
    expect(await commands.registerInspection(body, request())).toEqual(answer);
    expect(await store.readAll()).toHaveLength(1 + 11);
  });

  it('refuses another registration under the same id', async () => {
    await commands.registerInspection(body, request());
    await expect(commands.registerInspection({ ...body, title: 'Another' }, request())).rejects.toBeInstanceOf(
      InspectionAlreadyRegisteredError,
    );
  });
});
