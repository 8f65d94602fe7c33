/**
 * The baselines of `npm run bench:http`: a bare Nest app on the api's HTTP platform (the same
 * Fastify adapter from `createHttpAdapter`: JSON only, same body limit), with the same global
 * conventions (`HttpConventionsModule`: the same validation pipe, the same problem+json filter)
 * and one route of the same path, taking the same DTO class as the command it is set against
 * (`PlanActionDto`). No auth, no idempotency: it answers 201 with a small JSON body of the command
 * answer's shape.
 *
 * Two of them, by BARE_EVENTS:
 * - unset: the bare endpoint, which stores nothing;
 * - a file: the durable floor, which also appends one event per request (the validated body, under
 *   a fresh id as the app gives a command without an Idempotency-Key, to the recommendation's
 *   stream, at any revision) to a SQLite event store in that
 *   file, opened as the apps open theirs (writer thread, WAL, synchronous=FULL), and answers once
 *   it is durable. No state is read and nothing is decided: what it costs is what any durable
 *   command costs here, before auth, the domain and idempotency.
 *
 * Run as a child process by the benchmark, so that every server is measured the same way:
 * `node -r @swc-node/register bench/bare-endpoint.ts`, PORT (0: any free port). Prints
 * `listening on <port>` once it accepts requests; closes on SIGTERM.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_STORE, type EventStore, EventStoreModule, timeOrderedId } from '@app/event-store';
import { createHttpAdapter, HttpConventionsModule } from '@app/http';
import { PlanActionDto } from '../apps/api/src/recommendations/recommendation.dto';

type Answer = { id: string; revision: number; position: string; actionId: string };

@Controller('api')
class BareController {
  private planned = 0;

  @Post('recommendations/:id/actions')
  @HttpCode(201)
  planAction(@Param('id') id: string, @Body() body: PlanActionDto): Answer {
    this.planned += 1;
    // The body is the validated DTO instance: read it, as a handler would.
    return { id, revision: this.planned, position: String(this.planned), actionId: `${body.ownerId}-${this.planned}` };
  }
}

const FLOOR_ACTOR = { id: 'u-bench-lead', name: 'Det Supt (strategic lead)', role: 'strategic-lead' } as const;

@Controller('api')
class DurableController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Post('recommendations/:id/actions')
  @HttpCode(201)
  async planAction(@Param('id') id: string, @Body() body: PlanActionDto): Promise<Answer> {
    const actionId = randomUUID();
    const commandId = randomUUID();
    const { description, ownerId, dueOn, lpa } = body;
    const appended = await this.store.appendToStream(
      `recommendation-${id}`,
      [
        {
          id: timeOrderedId(),
          type: 'ActionPlanned',
          data: { recommendationId: id, actionId, description, ownerId, dueOn, ...(lpa === undefined ? {} : { lpa }) },
          // Metadata of the app's shape, so that the rows are the app's size.
          metadata: { actor: FLOOR_ACTOR, correlationId: commandId, causationId: commandId, occurredAt: new Date().toISOString() },
        },
      ],
      { expectedRevision: 'any' },
    );
    return { id, revision: appended.nextExpectedRevision, position: String(appended.position), actionId };
  }
}

const eventsFile = process.env.BARE_EVENTS;

@Module(
  eventsFile
    ? {
        imports: [HttpConventionsModule, EventStoreModule.forRoot({ kind: 'sqlite', file: eventsFile, writer: 'thread' })],
        controllers: [DurableController],
      }
    : { imports: [HttpConventionsModule], controllers: [BareController] },
)
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, createHttpAdapter(), {
    logger: ['fatal', 'error', 'warn'],
  });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const port = new URL(await app.getUrl()).port;
  console.log(`listening on ${port}`);
  const close = (): void => {
    app.close().then(
      () => (process.exitCode = 0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
