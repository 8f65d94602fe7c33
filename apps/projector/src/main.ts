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
import { ProjectorModule } from './projector.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await probeOrExit(config, ['event-store', 'redis']);
  const app = await bootOrExit(() =>
    NestFactory.createApplicationContext(ProjectorModule.forRoot(config), NEST_BOOT_OPTIONS),
  );
  const logger = announce(
    'Projector',
    `projector running (no projections yet; no HTTP); event store: ${describeEventStore(config)}; ${describeRedis(config)}.`,
    config,
  );
  closeOnSignals(app, logger);
}

void main();
