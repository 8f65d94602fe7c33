import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from './config';

/** Injection token of the `AppConfig` the process started with. */
export const APP_CONFIG = Symbol.for('app.config');

/**
 * Hands the configuration, loaded and validated before Nest boots, to whoever injects
 * `APP_CONFIG`. Global, so that feature modules need not import it.
 */
@Module({})
export class ConfigModule {
  // Nest tells dynamic modules apart by object identity: the same configuration, imported by
  // each app module the standalone process hosts, is one module.
  private static readonly modules = new WeakMap<AppConfig, DynamicModule>();

  static forRoot(config: AppConfig): DynamicModule {
    let module = ConfigModule.modules.get(config);
    if (module === undefined) {
      module = {
        module: ConfigModule,
        global: true,
        providers: [{ provide: APP_CONFIG, useValue: config }],
        exports: [APP_CONFIG],
      };
      ConfigModule.modules.set(config, module);
    }
    return module;
  }
}
