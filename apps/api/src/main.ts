import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
import { ApiModule } from './api.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await probeOrExit(config, ['event-store', 'redis']);
  const app = await bootOrExit(async () => {
    const created = await NestFactory.create<NestFastifyApplication>(
      ApiModule.forRoot(config),
      ApiModule.createHttpAdapter(),
      NEST_BOOT_OPTIONS,
    );
    await created.listen(config.port, ApiModule.host);
    return created;
  });
  const logger = announce(
    'Api',
    `api serving HTTP on ${ApiModule.host}:${new URL(await app.getUrl()).port}; event store: ${describeEventStore(config)}; ${describeRedis(config)}.`,
    config,
  );
  closeOnSignals(app, logger);
}

void main();
