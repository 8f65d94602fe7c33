import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createEventStore, type EventStoreConfig } from './create-event-store';
import type { EventStore } from './event-store';

/** Injection token of the process's `EventStore`. */
export const EVENT_STORE = Symbol.for('app.event-store');
const EVENT_STORE_CONFIG = Symbol.for('app.event-store.config');

@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  // The last shutdown phase, so that subscriptions and handlers stop before their store does.
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Opens the event store described by the configuration and closes it on shutdown. Global.
 *
 * One store per configuration per process: Nest tells dynamic modules apart by object identity,
 * so `forRoot` hands out the same module for equal configurations. The standalone process, whose
 * api, projector and worker modules each import `EventStoreModule.forRoot(config.eventStore)`,
 * thus opens the store once.
 */
@Module({})
export class EventStoreModule {
  private static readonly modules = new Map<string, DynamicModule>();

  static forRoot(config: EventStoreConfig): DynamicModule {
    const key = JSON.stringify(config);
    let module = EventStoreModule.modules.get(key);
    if (module === undefined) {
      module = {
        module: EventStoreModule,
        global: true,
        providers: [
          { provide: EVENT_STORE_CONFIG, useValue: config },
          { provide: EVENT_STORE, useFactory: createEventStore, inject: [EVENT_STORE_CONFIG] },
          EventStoreCloser,
        ],
        exports: [EVENT_STORE],
      };
      EventStoreModule.modules.set(key, module);
    }
    return module;
  }
}
