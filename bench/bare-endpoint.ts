/**
 * The baseline of `npm run bench:http`: a bare Nest app on the api's HTTP platform (the same
 * Fastify adapter from `createHttpAdapter`: JSON only, same body limit), with the same global
 * conventions (`HttpConventionsModule`: the same validation pipe, the same problem+json filter)
 * and one route of the same path, taking the same DTO class as the command it is set against
 * (`PlanActionDto`). No auth, no idempotency, no storage: it answers 201 with a small JSON body of
 * the command answer's shape.
 *
 * Run as a child process by the benchmark, so that both servers are measured the same way:
 * `node -r @swc-node/register bench/bare-endpoint.ts`, PORT (0: any free port). Prints
 * `listening on <port>` once it accepts requests; closes on SIGTERM.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpAdapter, HttpConventionsModule } from '@app/http';
import { PlanActionDto } from '../apps/api/src/recommendations/recommendation.dto';

@Controller('api')
class BareController {
  private planned = 0;

  @Post('recommendations/:id/actions')
  @HttpCode(201)
  planAction(@Param('id') id: string, @Body() body: PlanActionDto): { id: string; revision: number; position: string; actionId: string } {
    this.planned += 1;
    // The body is the validated DTO instance: read it, as a handler would.
    return { id, revision: this.planned, position: String(this.planned), actionId: `${body.ownerId}-${this.planned}` };
  }
}

@Module({ imports: [HttpConventionsModule], controllers: [BareController] })
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
