/**
 * The LPA register as two api instances read it from one SQLite log: the instance that records a
 * change reads it at once; another takes the register it last read for REGISTER_TRUSTED_MS (reading
 * the log for every command adds about a third to a command's CPU), and reads the change after that.
 * `?asOf=` is always read from the log. The instances' clock is Date.now, moved on by the test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import type { CommandRequest } from '../commands/command-call';
import { LpaRegisterService, REGISTER_TRUSTED_MS } from './lpa-register.service';

const folder = mkdtempSync(join(tmpdir(), 'lpa-register-'));
let store: SqliteEventStore;
let clock: number;

const admin = (): CommandRequest => ({
  actor: { id: 'u-admin', name: 'System owner', role: 'admin' },
  commandId: randomUUID(),
  correlationId: randomUUID(),
  now: new Date(clock).toISOString(),
});
const codes = async (service: LpaRegisterService): Promise<string[]> => (await service.register()).lpas.map((lpa) => lpa.code);

beforeEach(() => {
  store = new SqliteEventStore({ file: join(folder, `${randomUUID()}.sqlite`) });
  // From the real time: the store stamps what it records with the real clock, which ?asOf= reads.
  clock = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await store.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it("is read at once by the instance that records a change, and by another within REGISTER_TRUSTED_MS", async () => {
  const [one, other] = [new LpaRegisterService(store), new LpaRegisterService(store)];
  await one.onApplicationBootstrap();
  await other.onApplicationBootstrap();
  expect(await codes(other)).not.toContain('wyre-forest');

  await one.record({ code: 'wyre-forest', name: 'Wyre Forest', activeFrom: '2026-11-29' }, admin());
  expect(await codes(one)).toContain('wyre-forest');
  expect(await one.activeOn(admin().now)).toContain('wyre-forest');
  // The other instance read the register just before: it takes that one for a while...
  clock += REGISTER_TRUSTED_MS - 1;
  expect(await codes(other)).not.toContain('wyre-forest');
  expect(await other.activeOn(admin().now)).not.toContain('wyre-forest');
  // ...but the register as of an instant is the log's, read each time...
  expect((await other.register(new Date(clock).toISOString())).lpas.map((lpa) => lpa.code)).toContain('wyre-forest');
  // ...and past that while, the change is read.
  clock += 1;
  expect(await codes(other)).toContain('wyre-forest');
  expect(await other.activeOn(admin().now)).toContain('wyre-forest');
});
