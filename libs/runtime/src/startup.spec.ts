import { loadConfig } from '@app/config';
import { EventStoreUnavailableError } from '@app/event-store';
import { redisUnavailable } from './dependency-errors';
import { describeBootFailure, EXIT_UNAVAILABLE } from './startup';

describe('describeBootFailure: a boot that fails after the probes passed', () => {
  const sqlite = loadConfig({ DATA_DIR: '/srv/data', AUTH_JWT_SECRET: 'dev' });

  it('names an event store that could not be opened during boot in one line, and exits 69', () => {
    const cause = Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
    const error = new EventStoreUnavailableError(
      'Cannot open the SQLite event store at /srv/data/events.sqlite: unable to open database file',
      { cause },
    );

    expect(describeBootFailure(error, sqlite)).toEqual({
      line:
        'The event store (SQLite) cannot be opened at /srv/data/events.sqlite (unable to open database file): ' +
        'make DATA_DIR a writable directory, or set EVENTSTORE_URL to use EventStoreDB.',
      exitCode: EXIT_UNAVAILABLE,
    });
    expect(EXIT_UNAVAILABLE).toBe(69);
  });

  it('names EventStoreDB, without its password, when it is the store that failed', () => {
    const config = loadConfig({ EVENTSTORE_URL: 'esdb://admin:changeit@eventstore:2113?tls=false', AUTH_JWT_SECRET: 'dev' });
    const error = new EventStoreUnavailableError('EventStoreDB at esdb://eventstore:2113?tls=false is unavailable (ping)', {
      cause: new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.5:2113.'),
    });

    const failure = describeBootFailure(error, config);

    expect(failure?.line).toBe(
      'EventStoreDB is not reachable at esdb://admin:***@eventstore:2113?tls=false (connect ECONNREFUSED): ' +
        'start it (docker compose up -d eventstore) or unset EVENTSTORE_URL to use the embedded SQLite store.',
    );
    expect(failure?.line).not.toContain('\n');
    expect(failure?.exitCode).toBe(EXIT_UNAVAILABLE);
  });

  it('passes a dependency error through as it is', () => {
    const error = redisUnavailable('redis://127.0.0.1:6390', new Error('Connection is closed.'));

    expect(describeBootFailure(error, sqlite)).toEqual({ line: error.message, exitCode: EXIT_UNAVAILABLE });
  });

  it('names a port in use', () => {
    const error = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 3000 });

    expect(describeBootFailure(error, sqlite)).toEqual({
      line: 'Port 3000 is already in use: stop what listens there or set PORT.',
      exitCode: EXIT_UNAVAILABLE,
    });
  });

  it('leaves anything else (a bug) to be reported with its stack', () => {
    expect(describeBootFailure(new TypeError('x is not a function'), sqlite)).toBeUndefined();
  });
});
