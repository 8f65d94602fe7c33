/**
 * What every main does around Nest: load the configuration, probe the dependencies, boot
 * quietly, say in one line what it serves, and close cleanly on SIGTERM or SIGINT. A start that
 * cannot succeed ends with one line on stderr and a non-zero exit code, never with a stack.
 */
import type { DynamicModule, INestApplicationContext, LogLevel } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig, ConfigError, type Environment, loadConfig, redactUrl } from '@app/config';
import { EventStoreUnavailableError } from '@app/event-store';
import { AppThreadStartError, DependencyUnavailableError, eventStoreUnavailable } from './dependency-errors';
import { type Dependency, probeDependencies } from './probes';

/** sysexits.h: a configuration error. */
export const EXIT_CONFIG = 78;
/** sysexits.h: a service is unavailable. */
export const EXIT_UNAVAILABLE = 69;

export const RUNNING_LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log'];
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Options for `NestFactory.create*`: Nest's boot chatter (one line per module and route) is held
 * back and dropped, warnings are kept, and a failed boot throws to `bootOrExit` instead of
 * printing a stack and aborting.
 */
export const NEST_BOOT_OPTIONS = {
  logger: ['fatal', 'error', 'warn'] as LogLevel[],
  bufferLogs: true,
  autoFlushLogs: false,
  abortOnError: false,
};

function exitWithLine(line: string, code: number): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

function loadConfigOrExit(env: Environment = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      exitWithLine(error.message, EXIT_CONFIG);
    }
    throw error;
  }
}

/** Reaches each dependency in `needs`; names every one that is missing, one line each, and exits. */
async function probeOrExit(config: AppConfig, needs: readonly Dependency[]): Promise<void> {
  const failures = await probeDependencies(config, needs);
  if (failures.length > 0) {
    exitWithLine(failures.map((failure) => failure.message).join('\n'), EXIT_UNAVAILABLE);
  }
}

/**
 * The one line and exit code for a boot that failed for a reason outside the code: a dependency
 * lost since the probe (Redis gone, the event store's file unopenable, its server down) or a
 * port in use. Undefined for anything else, which is a bug and keeps its stack.
 */
export function describeBootFailure(
  error: unknown,
  config: AppConfig,
): { readonly line: string; readonly exitCode: number } | undefined {
  if (error instanceof DependencyUnavailableError) {
    return { line: error.message, exitCode: EXIT_UNAVAILABLE };
  }
  // Its own failure was described in the thread.
  if (error instanceof AppThreadStartError) {
    return { line: error.message, exitCode: error.exitCode };
  }
  // The store opened for the probe but not for the app: named like a failed probe.
  if (error instanceof EventStoreUnavailableError) {
    return { line: eventStoreUnavailable(config.eventStore, error).message, exitCode: EXIT_UNAVAILABLE };
  }
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE') {
    const which = typeof port === 'number' ? `Port ${port}` : 'The HTTP port';
    return { line: `${which} is already in use: stop what listens there or set PORT.`, exitCode: EXIT_UNAVAILABLE };
  }
  return undefined;
}

/**
 * Runs `boot` (create the Nest app, listen). A failure `describeBootFailure` recognises ends the
 * process with its one line; anything else is a bug and keeps its stack.
 */
async function bootOrExit<T extends INestApplicationContext>(config: AppConfig, boot: () => Promise<T>): Promise<T> {
  try {
    const app = await boot();
    // Drops the buffered boot chatter (below `warn`) and lets runtime logs through.
    app.flushLogs();
    app.useLogger(RUNNING_LOG_LEVELS);
    return app;
  } catch (error) {
    const failure = describeBootFailure(error, config);
    if (failure) {
      exitWithLine(failure.line, failure.exitCode);
    }
    exitWithLine(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1);
  }
}

/** The one line a main logs once it runs, then any configuration warnings. */
function announce(context: string, line: string, config: AppConfig): Logger {
  const logger = new Logger(context);
  logger.log(line);
  for (const warning of config.warnings) {
    logger.warn(warning);
  }
  return logger;
}

function describeEventStore(config: AppConfig): string {
  const store = config.eventStore;
  return store.kind === 'sqlite' ? `SQLite at ${store.file}` : `EventStoreDB at ${redactUrl(store.url)}`;
}

function describeRedis(config: AppConfig): string {
  return `Redis at ${redactUrl(config.redis.url)} (queue prefix ${config.queuePrefix})`;
}

/**
 * SIGTERM or SIGINT: close the app (Nest's shutdown hooks close the stores and connections),
 * then let the process end by itself. A second signal, or a close that takes too long, exits at
 * once with a non-zero code.
 */
function closeOnSignals(app: INestApplicationContext, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting for the close to finish.`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal}: closing.`);
    // Unref'd: it fires only if something still holds the process after the close.
    setTimeout(() => {
      logger.error(`Still running ${SHUTDOWN_DEADLINE_MS / 1000} s after ${signal}: exiting.`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error(`Close failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export interface Launch {
  /** The logger context of the announce line: `Api`, `Worker`, … */
  readonly name: string;
  readonly needs: readonly Dependency[];
  readonly module: (config: AppConfig) => DynamicModule;
  /** Serves HTTP on PORT through this adapter; an app without one runs as a plain context. */
  readonly http?: {
    readonly adapter: () => FastifyAdapter;
    readonly host: string;
    /** Runs on the created app before it listens: what only an app instance can set up (OpenAPI). */
    readonly configure?: (app: NestFastifyApplication) => void | Promise<void>;
  };
  /** What it does, for the announce line; `port` is the one it listens on, if any. */
  readonly serves: (port: number | undefined) => string;
}

/** A main's whole life: configuration, probes, boot, one line saying what runs, close on signals. */
export async function launch(app: Launch): Promise<void> {
  const config = loadConfigOrExit();
  await probeOrExit(config, app.needs);
  const http = app.http;
  const context = http
    ? await bootOrExit(config, async () => {
        const created = await NestFactory.create<NestFastifyApplication>(app.module(config), http.adapter(), NEST_BOOT_OPTIONS);
        await http.configure?.(created);
        await created.listen(config.port, http.host);
        return created;
      })
    : await bootOrExit(config, () => NestFactory.createApplicationContext(app.module(config), NEST_BOOT_OPTIONS));
  const port = http ? Number(new URL(await (context as NestFastifyApplication).getUrl()).port) : undefined;
  const logger = announce(
    app.name,
    `${app.serves(port)}; event store: ${describeEventStore(config)}; ${describeRedis(config)}.`,
    config,
  );
  closeOnSignals(context, logger);
}
