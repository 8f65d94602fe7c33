import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdempotencyGuard } from './idempotency.guard';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions, IdempotencyStore } from './idempotency.store';

/**
 * Idempotency-Key for every command POST of the app that imports it, and a command id for every
 * request (`@CommandId()`). Needs `DatabaseModule` (the `DATABASE` it keeps the keys in), and
 * runs its migration at start.
 */
@Module({})
export class IdempotencyModule {
  static forRoot(options: IdempotencyOptions = {}): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IDEMPOTENCY_OPTIONS, useValue: options },
        IdempotencyStore,
        // After AuthModule's guard: import AuthModule first.
        { provide: APP_GUARD, useClass: IdempotencyGuard },
      ],
      exports: [IdempotencyStore],
    };
  }
}
