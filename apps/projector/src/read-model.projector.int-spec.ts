import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@app/config';
import { TestDatabases } from '@app/database/testing/test-databases';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import { ReadModel } from '@app/read-model';
import { Governance } from '@app/read-model/testing/governance';
import { ProjectorModule } from './projector.module';
import { ReadModelProjector } from './read-model.projector';

const databases = new TestDatabases();
const folders: string[] = [];
afterAll(async () => {
  await databases.dropAll();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe.each([
  ['SQLite', (): Promise<Record<string, string>> => Promise.resolve({})],
  ['PostgreSQL', async (): Promise<Record<string, string>> => {
    const config = await databases.postgres();
    return config.kind === 'postgres' ? { DATABASE_URL: config.url } : {};
  }],
])('the projector app with the read model on %s', (_name, environment) => {
  let app: INestApplicationContext;

  beforeEach(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'projector-int-'));
    folders.push(dataDir);
    const config = loadConfig({ DATA_DIR: dataDir, ...(await environment()) });
    app = await NestFactory.createApplicationContext(ProjectorModule.forRoot(config), { logger: ['error', 'warn'] });
    await app.init();
  });

  it('keeps the read model following the log from boot until it is closed', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const readModel = app.get(ReadModel);
    const projector = app.get(ReadModelProjector);
    const governance = new Governance(store, () => '2017-11-30T10:00:00.000Z');

    const registered = await governance.registerInspection('stolen-freedom');
    await readModel.waitForPosition(registered.position);
    const assigned = await governance.assign('stolen-freedom-4', 'u-det-supt', 'Det Supt');
    await readModel.waitForPosition(assigned.position);

    expect(await readModel.getRecommendation('stolen-freedom-4', '2017-11-30')).toMatchObject({ status: 'assigned', revision: 1, rag: 'amber' });
    expect(await readModel.checkpoint()).toBe(assigned.position);
    expect(projector.status()).toMatchObject({ state: 'running', checkpoint: assigned.position });
    expect(await projector.lag()).toMatchObject({ behind: 0n });
    await expect(projector.readinessCheck().check()).resolves.toBeUndefined();

    await app.close();
    expect(projector.status().state).toBe('stopped');
  });
});
