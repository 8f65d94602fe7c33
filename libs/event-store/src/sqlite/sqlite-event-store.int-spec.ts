import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../testing/event-store.contract';

const folder = mkdtempSync(join(tmpdir(), 'event-store-contract-'));
let files = 0;
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describeEventStoreContract({
  name: 'sqlite',
  config: () => ({ kind: 'sqlite', file: join(folder, `events-${(files += 1)}.sqlite`) }),
});
