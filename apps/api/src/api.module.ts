import { type DynamicModule, Module } from '@nestjs/common';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from '@fastify/helmet';
import { AuthModule, BEARER_SCHEME } from '@app/auth';
import { APP_CONFIG, type AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { EventStoreModule } from '@app/event-store';
import { createHttpAdapter, HttpConventionsModule, IdempotencyModule, RateLimitModule } from '@app/http';
import { ReadModelModule } from '@app/read-model';
import { HealthModule, RedisModule } from '@app/runtime';
import { RecommendationsModule } from './recommendations/recommendations.module';
import { TaskingFlowModule } from '@app/tasking-flow';
import { OperationsModule } from './operations/operations.module';
import { TaskingsModule } from './taskings/taskings.module';

/**
 * The HTTP face: health, the inspection and recommendation commands and queries, and the
 * tasking and LPA register commands. Every route
 * goes through the bearer-token guard (default deny: a route declares `@Public` or `@Allow`),
 * answers errors as problem+json, validates its DTOs, and honours Idempotency-Key on POSTs,
 * whose records live in the read model's SQL database.
 */
@Module({})
export class ApiModule {
  /** Every interface: in a container, the port is published from outside. */
  static readonly host = '0.0.0.0';

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        EventStoreModule.forRoot(config.eventStore),
        DatabaseModule.forRoot(config.readModel),
        ReadModelModule.forRoot(config.readModel),
        RedisModule.forRoot(config.redis.url),
        AuthModule.forRoot({ jwtSecret: config.auth.jwtSecret }),
        HttpConventionsModule,
        // After AuthModule (it counts by user), before IdempotencyModule (a refusal claims no key).
        RateLimitModule.forRoot({ perSecond: config.rateLimitPerSecond, prefix: config.queuePrefix }),
        IdempotencyModule.forRoot(),
        HealthModule,
        TaskingFlowModule.forRoot(),
        OperationsModule,
        RecommendationsModule,
        TaskingsModule,
      ],
    };
  }

  /** The HTTP server the api runs on, also when the standalone process hosts it: JSON only, 256 KiB. */
  static createHttpAdapter(): FastifyAdapter {
    return createHttpAdapter();
  }

  /**
   * What needs the app instance, before any route is registered:
   * - security headers on every answer (helmet: no sniffing, no framing, HSTS, a content security
   *   policy that lets /docs run its own scripts and nothing else's; Fastify sends no
   *   `x-powered-by`);
   * - CORS for the origins of `CORS_ORIGINS` only (none by default), with the headers a client of
   *   API.md sends and reads;
   * - the OpenAPI document, its UI at /docs and its JSON at /docs-json. Both are served by Fastify
   *   beside Nest's routes, so no token is asked for them.
   */
  static async configureHttp(app: NestFastifyApplication): Promise<void> {
    const config = app.get<AppConfig>(APP_CONFIG);
    // Without upgrade-insecure-requests: over plain HTTP (a development host by name) it would
    // send /docs' own scripts to an https:// that is not there. HSTS asks browsers for HTTPS anyway.
    await app.register(helmet, { global: true, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
    app.enableCors({
      origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
      exposedHeaders: ['etag', 'location', 'retry-after', 'idempotent-replayed'],
      maxAge: 600,
    });
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Force governance and tasking API')
        .setDescription('Inspectorate recommendations, intelligence requirements, audit findings and LPA tasking.')
        .setVersion('1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  }
}
