/**
 * The LPA register as two api instances read it from one SQLite log. The instance that records a
 * change reads it at once, even with a read in flight. Another takes the register it last read for
 * REGISTER_TRUSTED_MS (reading the log for every command adds about a third to a command's CPU):
 * an LPA ended through the first is still active there for that long, no longer; an LPA added
 * through the first is found at once by a command that names it, and by a read that asks for
 * fresh (`?position=`). `?asOf=` is always read from the log. The clock of the trust is
 * performance.now, moved on by the test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@app/event-store/sqlite/sqlite-event-store';
import type { CommandRequest } from '../commands/command-call';
import { LpaRegisterService, REGISTER_TRUSTED_MS } from './lpa-register.service';

/** The real store, whose reads come back 50 ms after they were made while `slow` is set, as over a network (EventStoreDB). */
class SlowReadingStore extends SqliteEventStore {
  slow = false;
  override async readStream(...args: Parameters<SqliteEventStore['readStream']>): ReturnType<SqliteEventStore['readStream']> {
    const slow = this.slow;
    const events = await super.readStream(...args);
    if (slow) await new Promise((resolve) => setTimeout(resolve, 50));
    return events;
  }
}

const folder = mkdtempSync(join(tmpdir(), 'lpa-register-'));
let store: SlowReadingStore;
let one: LpaRegisterService;
let other: LpaRegisterService;
let clock: number;

const now = (): string => new Date().toISOString();
const today = (): string => now().slice(0, 10);
const admin = (): CommandRequest => ({ actor: { id: 'u-admin', name: 'System owner', role: 'admin' }, commandId: randomUUID(), correlationId: randomUUID(), now: now() });
const codes = async (service: LpaRegisterService, options?: { fresh?: boolean; asOf?: string }): Promise<string[]> => (await service.register(options)).lpas.map((lpa) => lpa.code);

beforeEach(async () => {
  store = new SlowReadingStore({ file: join(folder, `${randomUUID()}.sqlite`) });
  clock = 0;
  jest.spyOn(performance, 'now').mockImplementation(() => clock);
  [one, other] = [new LpaRegisterService(store), new LpaRegisterService(store)];
  await one.onApplicationBootstrap();
  await other.onApplicationBootstrap();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await store.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('is read at once by the instance that records a change, a read in flight then included', async () => {
  // A read that has begun before the change and ends after it.
  store.slow = true;
  const inFlight = one.register();
  store.slow = false;
  await one.record({ code: 'wyre-forest', name: 'Wyre Forest', activeFrom: today() }, admin());
  expect((await inFlight).lpas.map((lpa) => lpa.code)).not.toContain('wyre-forest');
  expect(await codes(one)).toContain('wyre-forest');
});

it('is taken by another instance as last read for REGISTER_TRUSTED_MS: an LPA ended there stays active here that long, no longer', async () => {
  expect(await other.activeOn(now())).toContain('shropshire');
  await one.record({ code: 'shropshire', name: 'Shropshire', activeFrom: '2017-04-01', activeTo: '2017-12-31' }, admin());
  clock += REGISTER_TRUSTED_MS - 1;
  expect(await other.activeOn(now(), ['shropshire'])).toContain('shropshire');
  // The register as of an instant is the log's, read each time; so is a fresh one.
  expect(await codes(other, { asOf: now() })).toContain('shropshire');
  expect((await other.register({ fresh: true })).lpas.find((lpa) => lpa.code === 'shropshire')?.activeTo).toBe('2017-12-31');
  clock += 1;
  expect(await other.activeOn(now())).not.toContain('shropshire');
});

it('finds an LPA added through another instance at once for a command that names it', async () => {
  expect(await codes(other)).not.toContain('wyre-forest');
  await one.record({ code: 'wyre-forest', name: 'Wyre Forest', activeFrom: today() }, admin());
  // A plain read takes the register as last read...
  expect(await codes(other)).not.toContain('wyre-forest');
  // ...a command naming the new LPA reads the log again.
  expect(await other.activeOn(now(), ['wyre-forest'])).toContain('wyre-forest');
  expect(await codes(other)).toContain('wyre-forest');
});
