import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig, redactUrl, type Environment } from './config';

const SECRET = 'a-production-secret-of-at-least-32-chars';

function issuesOf(env: Environment): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.issues.map(({ variable, message }) => ({ variable, message }));
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on an empty environment with the documented defaults', () => {
    const config = loadConfig({});

    expect(config).toEqual({
      production: false,
      port: 3000,
      auth: { jwtSecret: DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: true },
      dataDir: './data',
      eventStore: { kind: 'sqlite', file: 'data/events.sqlite', synchronous: 'full', writer: 'thread', pollIntervalMs: 2 },
      readModel: { kind: 'sqlite', file: 'data/read-model.sqlite' },
      redis: { url: 'redis://127.0.0.1:6379' },
      queuePrefix: 'tasking',
      escalationMs: { urgent: 3_600_000, high: 86_400_000, routine: 259_200_000 },
      corsOrigins: [],
      rateLimitPerSecond: 100,
      warnings: [expect.stringContaining('AUTH_JWT_SECRET is not set')],
    });
  });

  it('reads every variable of the configuration contract', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      AUTH_JWT_SECRET: SECRET,
      DATA_DIR: '/var/lib/governance',
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      DATABASE_URL: 'postgres://app:pw@postgres:5432/governance',
      REDIS_URL: 'redis://redis:6379/2',
      QUEUE_PREFIX: '{tasking-test-1}',
      ESCALATION_URGENT: '90s',
      ESCALATION_HIGH: '45m',
      ESCALATION_ROUTINE: '3d',
      CORS_ORIGINS: 'https://governance.example.police.uk, http://localhost:5173',
      RATE_LIMIT_PER_SECOND: '20',
    });

    expect(config).toEqual({
      production: true,
      port: 8080,
      auth: { jwtSecret: SECRET, usingDevelopmentSecret: false },
      dataDir: '/var/lib/governance',
      eventStore: { kind: 'eventstoredb', url: 'esdb://eventstore:2113?tls=false' },
      readModel: { kind: 'postgres', url: 'postgres://app:pw@postgres:5432/governance' },
      redis: { url: 'redis://redis:6379/2' },
      queuePrefix: '{tasking-test-1}',
      escalationMs: { urgent: 90_000, high: 2_700_000, routine: 259_200_000 },
      corsOrigins: ['https://governance.example.police.uk', 'http://localhost:5173'],
      rateLimitPerSecond: 20,
      warnings: [],
    });
  });

  it('puts the embedded stores in DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/run-1', EVENTSTORE_SQLITE_SYNCHRONOUS: 'normal', EVENTSTORE_SQLITE_POLL_MS: '5' });

    expect(config.eventStore).toEqual({ kind: 'sqlite', file: '/tmp/run-1/events.sqlite', synchronous: 'normal', writer: 'thread', pollIntervalMs: 5 });
    expect(config.readModel).toEqual({ kind: 'sqlite', file: '/tmp/run-1/read-model.sqlite' });
  });

  it.each([
    'esdb://a:2113,b:2113,c:2113?tls=true',
    'esdb+discover://cluster:2113',
    'kurrentdb://localhost:2113?tls=false',
    'kurrentdb+discover://cluster:2113',
    'kurrent://localhost:2113?tls=false',
    'kurrent+discover://cluster:2113',
    'KurrentDB://localhost:2113',
  ])('accepts the EventStoreDB connection string %s', (url) => {
    expect(loadConfig({ EVENTSTORE_URL: url }).eventStore).toEqual({ kind: 'eventstoredb', url });
  });

  it('counts an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', EVENTSTORE_URL: '  ', REDIS_URL: '', AUTH_JWT_SECRET: '' });

    expect(config.port).toBe(3000);
    expect(config.eventStore.kind).toBe('sqlite');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.auth.usingDevelopmentSecret).toBe(true);
  });

  it('accepts port 0 (any free port) and 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('refuses to start in production without AUTH_JWT_SECRET, in one line naming it', () => {
    const issues = issuesOf({ NODE_ENV: 'production' });

    expect(issues).toEqual([{ variable: 'AUTH_JWT_SECRET', message: expect.stringContaining('NODE_ENV=production') }]);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^Invalid configuration: AUTH_JWT_SECRET is not set[^\n]*$/);
  });

  it('refuses a production secret shorter than 32 characters', () => {
    expect(issuesOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'short' })).toEqual([
      { variable: 'AUTH_JWT_SECRET', message: expect.stringContaining('at least 32') },
    ]);
  });

  it('does not warn about the secret when one is given outside production', () => {
    expect(loadConfig({ AUTH_JWT_SECRET: 'dev' }).warnings).toEqual([]);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '3000x'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['EVENTSTORE_URL', 'http://eventstore:2113'],
    ['EVENTSTORE_URL', 'esdb://'],
    ['EVENTSTORE_URL', 'kurrent+discover://'],
    ['EVENTSTORE_URL', 'kurrentx://localhost:2113'],
    ['EVENTSTORE_SQLITE_SYNCHRONOUS', 'off'],
    ['EVENTSTORE_SQLITE_POLL_MS', '0'],
    ['EVENTSTORE_SQLITE_POLL_MS', '2.5'],
    ['DATABASE_URL', 'mysql://db/governance'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', '127.0.0.1:6379'],
    ['QUEUE_PREFIX', 'has space'],
    ['QUEUE_PREFIX', 'x'.repeat(101)],
    ['ESCALATION_URGENT', '1 h'],
    ['ESCALATION_HIGH', '0s'],
    ['ESCALATION_ROUTINE', '25d'],
    ['ESCALATION_ROUTINE', '72'],
    ['CORS_ORIGINS', 'https://governance.example.police.uk/'],
    ['CORS_ORIGINS', 'governance.example.police.uk'],
    ['CORS_ORIGINS', '*'],
    ['RATE_LIMIT_PER_SECOND', '-1'],
    ['RATE_LIMIT_PER_SECOND', 'lots'],
  ])('refuses %s=%j with an error naming the variable', (variable, value) => {
    const issues = issuesOf({ [variable]: value });

    expect(issues).toEqual([{ variable, message: expect.stringContaining(variable) }]);
  });

  it('reports every invalid variable at once, in one line', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', REDIS_URL: 'nope', QUEUE_PREFIX: 'a b' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual(['PORT', 'REDIS_URL', 'QUEUE_PREFIX']);
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('never repeats a password from a URL in an error', () => {
    const issues = issuesOf({ DATABASE_URL: 'mysql://app:hunter2@db/governance' });

    expect(issues[0]?.message).not.toContain('hunter2');
  });

  it('warns that EVENTSTORE_SQLITE_SYNCHRONOUS is ignored with EventStoreDB', () => {
    const config = loadConfig({
      AUTH_JWT_SECRET: 'dev',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      EVENTSTORE_SQLITE_SYNCHRONOUS: 'normal',
    });

    expect(config.warnings).toEqual([expect.stringContaining('EVENTSTORE_SQLITE_SYNCHRONOUS is ignored')]);
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://:secret@redis:6379', 'redis://:***@redis:6379'],
    ['postgres://app:secret@db:5432/x', 'postgres://app:***@db:5432/x'],
    ['esdb://admin:changeit@a:2113,b:2113?tls=true', 'esdb://admin:***@a:2113,b:2113?tls=true'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://user@host:6379', 'redis://user@host:6379'],
  ])('%s → %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});
