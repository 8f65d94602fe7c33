/**
 * Real processes for e2e tests: the built apps and private Redis servers, each tracked so that
 * `stopAll()` leaves nothing running, and helpers that wait for a condition rather than a time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { resolve } from 'node:path';
import { HttpClient } from './http-client';

export const ROOT = resolve(__dirname, '../..');

export interface RunningProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<RunningProcess>();

function track(child: ChildProcess): RunningProcess {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    // 'close' rather than 'exit': by then stdout and stderr have been read to the end.
    child.on('close', (code, signal) => resolveExit({ code, signal }));
  });
  const handle: RunningProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Kills whatever is still running: for afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((handle) => handle.stop('SIGKILL')));
}

/**
 * The environment of a test process: this one's, minus every variable of the configuration
 * contract (so that a developer's shell cannot change what a test runs against), plus `env`.
 * The per-user rate limit is off unless `env` sets it: tests and benchmarks drive one user far
 * past a person's pace, and the limit has tests of its own (test/api.e2e-spec.ts).
 */
export function appEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of [
    'NODE_ENV',
    'PORT',
    'AUTH_JWT_SECRET',
    'DATA_DIR',
    'EVENTSTORE_URL',
    'EVENTSTORE_SQLITE_SYNCHRONOUS',
    'DATABASE_URL',
    'REDIS_URL',
    'QUEUE_PREFIX',
    'EVENTSTORE_SQLITE_POLL_MS',
    'ESCALATION_URGENT',
    'ESCALATION_HIGH',
    'ESCALATION_ROUTINE',
    'CORS_ORIGINS',
    'RATE_LIMIT_PER_SECOND',
  ]) {
    delete base[name];
  }
  return { ...base, NO_COLOR: '1', RATE_LIMIT_PER_SECOND: '0', ...env };
}

/**
 * Starts a built app, e.g. `dist/apps/standalone/src/main.js` (or any script, with `nodeArgs`
 * such as `-r @swc-node/register` or `--cpu-prof` before it).
 */
export function startApp(entry: string, env: Record<string, string>, nodeArgs: readonly string[] = []): RunningProcess {
  return track(
    spawn(process.execPath, [...nodeArgs, entry], { cwd: ROOT, env: appEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** A private, throwaway Redis: no persistence, loopback only. Resolves once it accepts connections. */
export async function startRedis(port: number): Promise<RunningProcess> {
  const redis = track(
    spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  await waitFor(() => accepts(port), { what: `redis-server on port ${port}`, process: redis });
  return redis;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
    socket.connect(port, '127.0.0.1');
  });
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** GET http://127.0.0.1:port/path; no connection is kept open afterwards. */
export async function get(port: number, path: string): Promise<HttpAnswer> {
  const client = new HttpClient(port);
  try {
    const { status, body } = await client.get(path);
    return { status, body };
  } finally {
    client.close();
  }
}

/** GET, or undefined while nothing answers on the port. */
export async function tryGet(port: number, path: string): Promise<HttpAnswer | undefined> {
  try {
    return await get(port, path);
  } catch {
    return undefined;
  }
}

/**
 * Polls `condition` until it holds. Fails early, with its output, when the process the test
 * waits on has exited, and after `timeoutMs` otherwise.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { what: string | (() => string); process?: RunningProcess; timeoutMs?: number },
): Promise<void> {
  const what = (): string => (typeof options.what === 'string' ? options.what : options.what());
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (await condition()) {
      return;
    }
    const child = options.process?.child;
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `Waiting for ${what()}, the process exited (${child.exitCode ?? child.signalCode}).\n` +
          `stdout:\n${options.process?.stdout()}\nstderr:\n${options.process?.stderr()}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what()}.`);
    }
    await new Promise((resolvePoll) => setTimeout(resolvePoll, 50));
  }
}

/** Polls `GET path` until its status is `status`; returns that answer. */
export async function waitForStatus(
  port: number,
  path: string,
  status: number,
  app?: RunningProcess,
): Promise<HttpAnswer> {
  let last: HttpAnswer | undefined;
  await waitFor(
    async () => {
      last = await tryGet(port, path);
      return last?.status === status;
    },
    { what: () => `GET ${path} → ${status} on port ${port} (last answer: ${JSON.stringify(last)})`, process: app },
  );
  return last as HttpAnswer;
}
