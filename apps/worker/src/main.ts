import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  announce,
  bootOrExit,
  closeOnSignals,
  describeEventStore,
  describeRedis,
  loadConfigOrExit,
  NEST_BOOT_OPTIONS,
  probeOrExit,
} from '@app/health';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await probeOrExit(config, ['event-store', 'redis']);
  const app = await bootOrExit(() =>
    NestFactory.createApplicationContext(WorkerModule.forRoot(config), NEST_BOOT_OPTIONS),
  );
  const logger = announce(
    'Worker',
    `worker running (no queues consumed yet; no HTTP); event store: ${describeEventStore(config)}; ${describeRedis(config)}.`,
    config,
  );
  closeOnSignals(app, logger);
}

void main();
