import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type DatabaseConfig, openDatabase, type SqlDatabase } from './database';

/** Injection token of the process's one `SqlDatabase`. */
export const DATABASE = Symbol('DATABASE');

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: SqlDatabase<unknown>) {}
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/** One module object per configuration (as EventStoreModule), so that apps hosted together share one pool. */
@Module({})
export class DatabaseModule {
  private static readonly modules = new Map<string, DynamicModule>();

  static forRoot(config: DatabaseConfig): DynamicModule {
    const key = JSON.stringify(config);
    let module = DatabaseModule.modules.get(key);
    if (module === undefined) {
      module = {
        module: DatabaseModule,
        global: true,
        providers: [{ provide: DATABASE, useFactory: () => openDatabase(config) }, DatabaseCloser],
        exports: [DATABASE],
      };
      DatabaseModule.modules.set(key, module);
    }
    return module;
  }
}
