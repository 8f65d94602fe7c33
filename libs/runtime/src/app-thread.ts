/**
 * An app's Nest context run in a worker thread of a process whose main thread serves HTTP. The
 * standalone app (`npm start`) runs its projector this way: projecting is synchronous database
 * work in batches, which in the api's thread held its event loop (every request waited behind a
 * batch) and kept the process to one core.
 *
 * - `AppThread` (main thread): starts the thread, asks it whether it is ready, starts it again with
 *   backoff when it dies, and stops it (its context closed) when the process closes.
 * - `serveAppThread` (the thread's entry file): boots the context from the process's configuration,
 *   answers readiness from the thread's ReadinessRegistry, and closes on request.
 *
 * Nothing else crosses between the threads: each has its own connections, and what one thread's
 * writes must wake in the other is announced by the stores themselves (BroadcastChannel).
 */
import { type DynamicModule, type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { extname } from 'node:path';
import { type MessagePort, parentPort, Worker } from 'node:worker_threads';
import { type AppConfig, loadConfig } from '@app/config';
import { AppThreadStartError } from './dependency-errors';
import { runChecks } from './health.service';
import { ReadinessRegistry } from './readiness-registry';
import { describeBootFailure, NEST_BOOT_OPTIONS, RUNNING_LOG_LEVELS } from './startup';

type ToThread = { readonly type: 'health'; readonly id: number } | { readonly type: 'stop' };
type FromThread =
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly line: string }
  | { readonly type: 'health'; readonly id: number; readonly failures: readonly string[] };

/** The first start's promise, settled when the thread says it started or it ends before. */
interface FirstStart {
  readonly resolve: () => void;
  readonly reject: (error: AppThreadStartError) => void;
}

export interface AppThreadOptions {
  /** What runs in the thread, for logs and readiness: `Projector`. */
  readonly name: string;
  /** The thread's entry file (one that calls `serveAppThread`). A `.ts` file runs through @swc-node/register. */
  readonly entry: string;
  /** Starting again after the thread died: from `initialMs` (1 s), doubling, up to `maxMs` (30 s). */
  readonly restart?: { readonly initialMs?: number; readonly maxMs?: number };
  /** How long a readiness question may wait for the thread's answer (2 s). */
  readonly healthTimeoutMs?: number;
  /** How long the thread may take to boot before it is ended as failed (60 s). */
  readonly bootTimeoutMs?: number;
  /**
   * How long `stop` waits for the thread to close its context before ending it (5 s: the process
   * gives itself 10 s to close, and the thread is stopped after the main thread's other modules).
   */
  readonly stopTimeoutMs?: number;
  /**
   * The thread's environment, from which it reads its configuration: by default the process's as
   * it was when the AppThread was made, so that a thread started again later reads the same.
   */
  readonly env?: Record<string, string | undefined>;
}

type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting'; readonly worker: Worker; readonly first?: FirstStart }
  | { readonly kind: 'running'; readonly worker: Worker; readonly since: number }
  | { readonly kind: 'waiting'; readonly timer: NodeJS.Timeout; readonly why: string }
  | { readonly kind: 'stopped' };

export class AppThread {
  private readonly logger: Logger;
  private readonly env: Record<string, string | undefined>;
  private state: State = { kind: 'idle' };
  private stopping: Promise<void> | undefined;
  private delayMs: number;
  private nextQuestion = 0;
  /** Readiness questions the thread has not answered yet, by id. */
  private readonly questions = new Map<number, { readonly answer: (failures: readonly string[]) => void; readonly fail: (why: string) => void }>();

  constructor(private readonly options: AppThreadOptions) {
    this.logger = new Logger(`${options.name}Thread`);
    this.env = { ...(options.env ?? process.env) };
    this.delayMs = this.initialDelayMs;
  }

  /**
   * Starts the thread; resolves once its context has booted. A first start that fails rejects with
   * an AppThreadStartError (and nothing is tried again): the process cannot start either. Once it
   * has run, a thread that dies is started again, with backoff.
   */
  start(): Promise<void> {
    if (this.state.kind !== 'idle') return Promise.reject(new Error(`the ${this.options.name} thread was started before`));
    return new Promise<void>((resolve, reject) => this.spawn({ resolve, reject }));
  }

  /** A readiness check: resolves while the thread runs and its own checks pass; rejects saying why not. */
  check(): Promise<void> {
    const state = this.state;
    switch (state.kind) {
      case 'idle':
        return Promise.reject(new Error(`the ${this.options.name} thread has not been started`));
      case 'starting':
        return Promise.reject(new Error(`the ${this.options.name} thread is starting`));
      case 'waiting':
        return Promise.reject(new Error(`the ${this.options.name} thread stopped (${state.why}) and will start again`));
      case 'stopped':
        return Promise.reject(new Error(`the ${this.options.name} thread is stopped`));
      case 'running':
        return this.ask(state.worker);
    }
  }

  /**
   * Closes the thread's context and waits for the thread to end (ending it after `stopTimeoutMs`).
   * A first start still under way fails; the thread is not started again. Calling it again waits
   * for the same stop.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    const state = this.state;
    this.state = { kind: 'stopped' };
    this.failQuestions('stopping');
    if (state.kind === 'waiting') clearTimeout(state.timer);
    if (state.kind !== 'starting' && state.kind !== 'running') return;
    if (state.kind === 'starting') state.first?.reject(new AppThreadStartError(`The ${this.options.name} thread was stopped while it started`, 1));
    const worker = state.worker;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToThread);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.options.stopTimeoutMs ?? 5_000)));
    if ((await Promise.race([exited, late])) === 'late') {
      this.logger.warn(`The ${this.options.name} thread did not close in time: ending it.`);
      await worker.terminate();
    }
    clearTimeout(timer);
  }

  private get initialDelayMs(): number {
    return this.options.restart?.initialMs ?? 1_000;
  }

  private get maxDelayMs(): number {
    return this.options.restart?.maxMs ?? 30_000;
  }

  private spawn(first?: FirstStart): void {
    const entry = this.options.entry;
    const worker = new Worker(entry, {
      // Built (.js), the thread runs with the process's own Node options; from the sources (.ts,
      // in tests), with the compiler the process uses.
      ...(extname(entry) === '.ts' ? { execArgv: ['-r', require.resolve('@swc-node/register')] } : {}),
      env: this.env,
    });
    this.state = { kind: 'starting', worker, ...(first ? { first } : {}) };
    let failure: string | undefined;
    // A boot that hangs (a connection that never answers) is a failed start, not a wait forever.
    const bootTimeoutMs = this.options.bootTimeoutMs ?? 60_000;
    const boot = setTimeout(() => {
      failure = `it did not start within ${bootTimeoutMs} ms`;
      void worker.terminate();
    }, bootTimeoutMs);
    worker.on('message', (message: FromThread) => {
      if (message.type === 'failed') failure = message.line;
      if (message.type !== 'health') clearTimeout(boot);
      this.heard(worker, message);
    });
    worker.on('error', (error) => (failure ??= error.message));
    worker.on('exit', (code) => {
      clearTimeout(boot);
      this.exited(worker, failure ?? `exit code ${code}`, code);
    });
  }

  private heard(worker: Worker, message: FromThread): void {
    if (message.type === 'failed') return;
    if (message.type === 'started') {
      const state = this.state;
      if (state.kind === 'starting' && state.worker === worker) {
        this.state = { kind: 'running', worker, since: Date.now() };
        state.first?.resolve();
      }
      return;
    }
    const question = this.questions.get(message.id);
    this.questions.delete(message.id);
    question?.answer(message.failures);
  }

  private exited(worker: Worker, why: string, code: number): void {
    const state = this.state;
    if ((state.kind !== 'starting' && state.kind !== 'running') || state.worker !== worker) return;
    this.failQuestions(why);
    if (state.kind === 'starting' && state.first) {
      this.state = { kind: 'stopped' };
      state.first.reject(new AppThreadStartError(`The ${this.options.name} thread could not start: ${why}`, code === 0 ? 1 : code));
      return;
    }
    // A thread that ran for longer than the longest wait had recovered: start again from the shortest.
    if (state.kind === 'running' && Date.now() - state.since > this.maxDelayMs) this.delayMs = this.initialDelayMs;
    this.startAgainLater(why);
  }

  private startAgainLater(why: string): void {
    const delayMs = this.delayMs;
    this.delayMs = Math.min(delayMs * 2, this.maxDelayMs);
    this.logger.error(`The ${this.options.name} thread stopped (${why}); starting it again in ${delayMs} ms.`);
    const timer = setTimeout(() => {
      try {
        this.spawn();
      } catch (error) {
        // The thread could not even be made (out of memory, say): wait longer and try again.
        this.startAgainLater(`could not start: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, delayMs);
    this.state = { kind: 'waiting', timer, why };
  }

  /** Questions asked of a thread that has stopped will not be answered. */
  private failQuestions(why: string): void {
    for (const question of this.questions.values()) question.fail(why);
    this.questions.clear();
  }

  private ask(worker: Worker): Promise<void> {
    const id = (this.nextQuestion += 1);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.questions.delete(id);
        reject(new Error(`the ${this.options.name} thread did not answer within ${this.options.healthTimeoutMs ?? 2_000} ms`));
      }, this.options.healthTimeoutMs ?? 2_000);
      // A question left open must not hold the process.
      timer.unref();
      this.questions.set(id, {
        answer: (failures) => {
          clearTimeout(timer);
          if (failures.length === 0) resolve();
          else reject(new Error(failures.join('; ')));
        },
        fail: (why) => {
          clearTimeout(timer);
          reject(new Error(`the ${this.options.name} thread stopped (${why})`));
        },
      });
      worker.postMessage({ type: 'health', id } satisfies ToThread);
    });
  }
}

/**
 * The body of an app thread's entry file: boots `module` with the configuration read from the
 * environment, then answers the main thread. A boot that fails tells the main thread why, in one
 * line, and ends the thread.
 */
export function serveAppThread(name: string, module: (config: AppConfig) => DynamicModule): void {
  const port = parentPort;
  if (!port) throw new Error(`${name}: serveAppThread runs in a worker thread only`);
  void boot(port, module).then((app) => {
    if (!app) return;
    const registry = app.get(ReadinessRegistry, { strict: false });
    port.on('message', (message: ToThread) => {
      if (message.type === 'stop') {
        void app.close().finally(() => port.close());
        return;
      }
      void failedChecks(registry).then((failures) => port.postMessage({ type: 'health', id: message.id, failures } satisfies FromThread));
    });
    port.postMessage({ type: 'started' } satisfies FromThread);
  });
}

/** `name: why` for each of the registry's checks that does not pass now. */
async function failedChecks(registry: ReadinessRegistry): Promise<string[]> {
  const results = await runChecks(registry.registered());
  return results.flatMap(([name, result]) => (result.status === 'up' ? [] : [`${name}: ${result.error ?? 'down'}`]));
}

async function boot(port: MessagePort, module: (config: AppConfig) => DynamicModule): Promise<INestApplicationContext | undefined> {
  let config: AppConfig | undefined;
  try {
    config = loadConfig(process.env);
    const app = await NestFactory.createApplicationContext(module(config), NEST_BOOT_OPTIONS);
    app.flushLogs();
    app.useLogger(RUNNING_LOG_LEVELS);
    return app;
  } catch (error) {
    const known = config === undefined ? undefined : describeBootFailure(error, config);
    const line = known?.line ?? (error instanceof Error ? (error.stack ?? error.message) : String(error));
    port.postMessage({ type: 'failed', line } satisfies FromThread);
    // In a worker thread, this ends the thread, not the process.
    process.exit(known?.exitCode ?? 1);
  }
}
