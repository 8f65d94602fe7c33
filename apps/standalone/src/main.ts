/** `npm start`: the composition root that runs the api (HTTP), projector and worker in one process. */
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
import { ApiModule } from '../../api/src/api.module';
import { StandaloneModule } from './standalone.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  await probeOrExit(config, ['event-store', 'redis']);
  const app = await bootOrExit(async () => {
    const created = await NestFactory.create<NestFastifyApplication>(
      StandaloneModule.forRoot(config),
      ApiModule.createHttpAdapter(),
      NEST_BOOT_OPTIONS,
    );
    await created.listen(config.port, ApiModule.host);
    return created;
  });
  const logger = announce(
    'Standalone',
    `api, projector and worker in one process; HTTP on ${ApiModule.host}:${new URL(await app.getUrl()).port}; event store: ${describeEventStore(config)}; ${describeRedis(config)}.`,
    config,
  );
  closeOnSignals(app, logger);
}

void main();
