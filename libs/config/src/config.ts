/**
 * The configuration contract of API.md ("Running"), read from the environment once, at start.
 * `loadConfig` is pure: it takes the environment as a plain object and never touches the disk,
 * the network or `process`, so every rule below is unit-tested without I/O.
 */
import { join } from 'node:path';
import type { DatabaseConfig } from '@app/database';
import type { EventStoreConfig } from '@app/event-store';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Where the read model (and the API's idempotency records) live. */
export type ReadModelConfig = DatabaseConfig;

export interface AppConfig {
  /** `NODE_ENV=production`. */
  readonly production: boolean;
  /** HTTP port of the api (0: any free port). */
  readonly port: number;
  readonly auth: {
    /** HS256 secret for bearer tokens. */
    readonly jwtSecret: string;
    /** True when AUTH_JWT_SECRET was unset and the well-known development secret is in use. */
    readonly usingDevelopmentSecret: boolean;
  };
  /** Where the embedded stores keep their files, as given (relative paths are relative to the working directory). */
  readonly dataDir: string;
  readonly eventStore: EventStoreConfig;
  readonly readModel: ReadModelConfig;
  readonly redis: { readonly url: string };
  /** BullMQ key prefix, so that several installations (and test runs) can share one Redis. */
  readonly queuePrefix: string;
  /**
   * How long an LPA has to acknowledge a tasking, by its priority, in milliseconds from its issue:
   * past it the worker raises the escalated flag. `ESCALATION_URGENT`, `ESCALATION_HIGH`,
   * `ESCALATION_ROUTINE`, each a duration such as `90s`, `45m`, `1h` or `500ms`.
   */
  readonly escalationMs: { readonly urgent: number; readonly high: number; readonly routine: number };
  /**
   * The browser origins allowed to call the api from their pages (`CORS_ORIGINS`, comma-separated,
   * e.g. `https://governance.force.police.uk`); none by default: no page of another origin may.
   */
  readonly corsOrigins: readonly string[];
  /** Requests a second each user may make (`RATE_LIMIT_PER_SECOND`, default 100; 0: no limit). */
  readonly rateLimitPerSecond: number;
  /** Things worth saying at start that do not stop it (the development secret, ignored settings). */
  readonly warnings: readonly string[];
}

export interface ConfigIssue {
  /** The environment variable at fault. */
  readonly variable: string;
  readonly message: string;
}

/** The environment does not describe a configuration the service can run with. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    // One line, so that it reads well as the only thing a refused start prints.
    super(`Invalid configuration: ${issues.map((issue) => issue.message).join(' ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULTS = {
  port: 3000,
  dataDir: './data',
  redisUrl: 'redis://127.0.0.1:6379',
  queuePrefix: 'tasking',
  eventStoreSqliteSynchronous: 'full',
  // Measured: the idle projector's CPU from 3.3 % to 4.6 % of a core, against 10 ms; the tasking
  // latency bench's p50 from 9 ms to 3-4 ms with the projector apart from the api.
  eventStoreSqlitePollMs: 2,
  // A person at a screen makes a few requests a second; a busy integration, tens.
  rateLimitPerSecond: 100,
  escalation: { urgent: '1h', high: '24h', routine: '72h' },
} as const;

/**
 * Public on purpose: anyone can sign tokens with it, which is fine on a developer's machine and
 * why production refuses to start without a secret of its own.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-secret-do-not-use-in-production';

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** What the EventStoreDB adapter accepts: the old name, the new one and its short form, each also for a cluster. */
const EVENTSTORE_SCHEMES = [
  'esdb://',
  'esdb+discover://',
  'kurrentdb://',
  'kurrentdb+discover://',
  'kurrent://',
  'kurrent+discover://',
];
const DATABASE_SCHEMES = ['postgres:', 'postgresql:'];
const REDIS_SCHEMES = ['redis:', 'rediss:'];
const SQLITE_SYNCHRONOUS = ['full', 'normal'] as const;
/** Redis key characters BullMQ prefixes use, braces included for cluster hash tags (`{tasking}`). */
const QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_.:{}-]{1,100}$/;

export function loadConfig(env: Environment): AppConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const fail = (variable: string, message: string): void => {
    issues.push({ variable, message });
  };

  const production = read(env, 'NODE_ENV') === 'production';

  const port = parsePort(read(env, 'PORT'), fail);

  const secret = read(env, 'AUTH_JWT_SECRET');
  if (secret === undefined && production) {
    fail(
      'AUTH_JWT_SECRET',
      'AUTH_JWT_SECRET is not set, and with NODE_ENV=production the service refuses to start without it: set it to a random secret of at least 32 characters (e.g. `openssl rand -base64 48`).',
    );
  } else if (secret !== undefined && production && secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    fail(
      'AUTH_JWT_SECRET',
      `AUTH_JWT_SECRET is ${secret.length} characters long; with NODE_ENV=production it must be at least ${MIN_PRODUCTION_SECRET_LENGTH}.`,
    );
  } else if (secret === undefined) {
    warnings.push(
      'AUTH_JWT_SECRET is not set: using the public development secret, so anyone can sign tokens. Set AUTH_JWT_SECRET outside development.',
    );
  }

  const dataDir = read(env, 'DATA_DIR') ?? DEFAULTS.dataDir;

  const eventStore = parseEventStore(env, dataDir, fail, warnings);
  const readModel = parseReadModel(read(env, 'DATABASE_URL'), dataDir, fail);
  const redisUrl = parseRedisUrl(read(env, 'REDIS_URL'), fail);

  const queuePrefix = read(env, 'QUEUE_PREFIX') ?? DEFAULTS.queuePrefix;
  if (!QUEUE_PREFIX_PATTERN.test(queuePrefix)) {
    fail(
      'QUEUE_PREFIX',
      `QUEUE_PREFIX ${JSON.stringify(queuePrefix)} is not a usable Redis key prefix: use at most 100 of A-Z a-z 0-9 _ . : - { }.`,
    );
  }

  const escalationMs = {
    urgent: parseDuration(env, 'ESCALATION_URGENT', DEFAULTS.escalation.urgent, fail),
    high: parseDuration(env, 'ESCALATION_HIGH', DEFAULTS.escalation.high, fail),
    routine: parseDuration(env, 'ESCALATION_ROUTINE', DEFAULTS.escalation.routine, fail),
  };

  const corsOrigins = parseOrigins(read(env, 'CORS_ORIGINS'), fail);
  const rawRate = read(env, 'RATE_LIMIT_PER_SECOND');
  const rateLimitPerSecond = rawRate === undefined ? DEFAULTS.rateLimitPerSecond : /^\d{1,6}$/.test(rawRate) ? Number(rawRate) : Number.NaN;
  if (Number.isNaN(rateLimitPerSecond)) {
    fail('RATE_LIMIT_PER_SECOND', `RATE_LIMIT_PER_SECOND ${JSON.stringify(rawRate)} is not a whole number of requests a second (0 for no limit).`);
  }

  if (issues.length > 0) {
    throw new ConfigError(issues);
  }
  return {
    production,
    port,
    auth: { jwtSecret: secret ?? DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: secret === undefined },
    dataDir,
    eventStore,
    readModel,
    redis: { url: redisUrl },
    queuePrefix,
    escalationMs,
    corsOrigins,
    rateLimitPerSecond,
    warnings,
  };
}

type Fail = (variable: string, message: string) => void;

/** An empty variable counts as unset: `VAR=` in a compose file or a shell means "no value". */
function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parsePort(raw: string | undefined, fail: Fail): number {
  if (raw === undefined) {
    return DEFAULTS.port;
  }
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    fail('PORT', `PORT ${JSON.stringify(raw)} is not a port number (0 to 65535).`);
    return DEFAULTS.port;
  }
  return port;
}

function parseEventStore(env: Environment, dataDir: string, fail: Fail, warnings: string[]): EventStoreConfig {
  const url = read(env, 'EVENTSTORE_URL');
  const rawSynchronous = read(env, 'EVENTSTORE_SQLITE_SYNCHRONOUS');
  const synchronous = rawSynchronous?.toLowerCase() ?? DEFAULTS.eventStoreSqliteSynchronous;
  if (!isOneOf(synchronous, SQLITE_SYNCHRONOUS)) {
    fail(
      'EVENTSTORE_SQLITE_SYNCHRONOUS',
      `EVENTSTORE_SQLITE_SYNCHRONOUS ${JSON.stringify(rawSynchronous)} is not one of ${SQLITE_SYNCHRONOUS.join(', ')}.`,
    );
  }

  const rawPoll = read(env, 'EVENTSTORE_SQLITE_POLL_MS');
  const pollIntervalMs = rawPoll === undefined ? DEFAULTS.eventStoreSqlitePollMs : /^\d{1,4}$/.test(rawPoll) ? Number(rawPoll) : Number.NaN;
  if (!(pollIntervalMs >= 1 && pollIntervalMs <= 1_000)) {
    fail('EVENTSTORE_SQLITE_POLL_MS', `EVENTSTORE_SQLITE_POLL_MS ${JSON.stringify(rawPoll)} is not a whole number of milliseconds from 1 to 1000.`);
  }

  if (url === undefined) {
    return {
      kind: 'sqlite',
      file: join(dataDir, 'events.sqlite'),
      synchronous: isOneOf(synchronous, SQLITE_SYNCHRONOUS) ? synchronous : DEFAULTS.eventStoreSqliteSynchronous,
      // A server commits in a worker thread, so that its event loop serves on during each fsync.
      writer: 'thread',
      pollIntervalMs: pollIntervalMs >= 1 && pollIntervalMs <= 1_000 ? pollIntervalMs : DEFAULTS.eventStoreSqlitePollMs,
    };
  }
  if (rawPoll !== undefined) {
    warnings.push('EVENTSTORE_SQLITE_POLL_MS is ignored: EVENTSTORE_URL selects EventStoreDB.');
  }
  const scheme = EVENTSTORE_SCHEMES.find((candidate) => url.toLowerCase().startsWith(candidate));
  if (scheme === undefined || url.length === scheme.length) {
    fail(
      'EVENTSTORE_URL',
      `EVENTSTORE_URL ${JSON.stringify(redactUrl(url))} is not an EventStoreDB connection string: it must start with ${EVENTSTORE_SCHEMES.join(', ')} (or be unset for the embedded SQLite store).`,
    );
  }
  if (rawSynchronous !== undefined) {
    warnings.push('EVENTSTORE_SQLITE_SYNCHRONOUS is ignored: EVENTSTORE_URL selects EventStoreDB.');
  }
  return { kind: 'eventstoredb', url };
}

function parseReadModel(url: string | undefined, dataDir: string, fail: Fail): ReadModelConfig {
  if (url === undefined) {
    return { kind: 'sqlite', file: join(dataDir, 'read-model.sqlite') };
  }
  const parsed = parseUrl(url);
  if (parsed === undefined || !DATABASE_SCHEMES.includes(parsed.protocol) || parsed.hostname === '') {
    fail(
      'DATABASE_URL',
      `DATABASE_URL ${JSON.stringify(redactUrl(url))} is not a PostgreSQL URL (postgres://user:password@host:5432/database), or leave it unset for the embedded SQLite read model.`,
    );
  }
  return { kind: 'postgres', url };
}

function parseRedisUrl(raw: string | undefined, fail: Fail): string {
  if (raw === undefined) {
    return DEFAULTS.redisUrl;
  }
  const parsed = parseUrl(raw);
  if (parsed === undefined || !REDIS_SCHEMES.includes(parsed.protocol) || parsed.hostname === '') {
    fail(
      'REDIS_URL',
      `REDIS_URL ${JSON.stringify(redactUrl(raw))} is not a Redis URL (redis://host:6379, rediss:// for TLS).`,
    );
  }
  return raw;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Longer than a timer can wait (2^31 - 1 ms, about 24.8 days) would fire at once. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** A positive duration: a whole number and a unit (`ms`, `s`, `m`, `h`, `d`). */
function parseDuration(env: Environment, variable: string, fallback: string, fail: Fail): number {
  const raw = read(env, variable) ?? fallback;
  const match = /^(\d{1,10})(ms|s|m|h|d)$/.exec(raw);
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]!]! : Number.NaN;
  if (!(ms > 0 && ms <= MAX_DURATION_MS)) {
    fail(variable, `${variable} ${JSON.stringify(raw)} is not a duration between 1ms and 24d: a whole number and a unit, e.g. 90s, 45m, 1h, 3d.`);
    return 1;
  }
  return ms;
}

/** Origins as browsers send them: a scheme, a host and maybe a port; nothing after. */
function parseOrigins(raw: string | undefined, fail: Fail): string[] {
  if (raw === undefined) return [];
  const origins = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  const bad = origins.filter((origin) => {
    const parsed = parseUrl(origin);
    return parsed === undefined || !['https:', 'http:'].includes(parsed.protocol) || parsed.origin !== origin;
  });
  if (bad.length > 0) {
    fail('CORS_ORIGINS', `CORS_ORIGINS names ${bad.map((origin) => JSON.stringify(origin)).join(', ')}, not an origin: give each as scheme://host[:port], comma-separated, with no path or trailing slash.`);
  }
  return origins;
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** A URL fit for logs and error messages: any password in it replaced by `***`. */
export function redactUrl(url: string): string {
  // Regex rather than URL parsing, so that it also works on strings that do not parse
  // (multi-host EventStoreDB connection strings, invalid values being reported).
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}
