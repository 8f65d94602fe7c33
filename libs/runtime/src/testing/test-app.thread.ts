/**
 * The app thread of app-thread.int-spec.ts. What it does comes from its environment:
 * TEST_THREAD_MODE is `healthy`, `unready` (its readiness check fails), `crash` (the first time it
 * starts, it throws 200 ms after) `fail-boot` (its module cannot be made: it appends `booting` to the log, then
 * fails) or `hang-boot` (its context never finishes booting); it appends `started` and `closed` to the file TEST_THREAD_LOG as its context starts and
 * closes.
 */
import 'reflect-metadata';
import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { appendFileSync, readFileSync } from 'node:fs';
import { serveAppThread } from '../app-thread';
import { ReadinessRegistry, ReadinessRegistryModule } from '../readiness-registry';

const mode = process.env.TEST_THREAD_MODE ?? 'healthy';
const log = process.env.TEST_THREAD_LOG ?? '';

@Injectable()
class Probe implements OnApplicationShutdown {
  constructor(readiness: ReadinessRegistry) {
    readiness.register({
      name: 'probe',
      check: () => (mode === 'unready' ? Promise.reject(new Error('not caught up')) : Promise.resolve()),
    });
    const first = !readFileSync(log, 'utf8').includes('started');
    appendFileSync(log, 'started\n');
    if (mode === 'crash' && first) {
      setTimeout(() => {
        throw new Error('boom');
      }, 200);
    }
  }

  onApplicationShutdown(): void {
    appendFileSync(log, 'closed\n');
  }
}

@Module({ imports: [ReadinessRegistryModule], providers: [Probe] })
class TestAppModule {}

serveAppThread('Test', () => {
  if (mode === 'hang-boot') {
    // A provider whose making never ends, as one waiting on a connection that never answers (a
    // timer keeps the thread alive as the connection would): the context never finishes booting.
    const waiting = (): Promise<never> => new Promise(() => setInterval(() => undefined, 1_000));
    return { module: TestAppModule, providers: [{ provide: 'NEVER', useFactory: waiting }] };
  }
  if (mode === 'fail-boot') {
    appendFileSync(log, 'booting\n');
    throw new Error('cannot open the database');
  }
  return { module: TestAppModule };
});
