import { describeFailure, eventStoreUnavailable, redisUnavailable } from './dependency-errors';

function socketError(syscall: string, code: string): Error {
  return Object.assign(new Error(`${syscall} ${code} 127.0.0.1:6390`), { syscall, code });
}

describe('the one line naming a missing dependency', () => {
  it('names Redis, where it was looked for, why, and how to start it', () => {
    const error = redisUnavailable('redis://127.0.0.1:6390', socketError('connect', 'ECONNREFUSED'));

    expect(error.message).toBe(
      'Redis is not reachable at redis://127.0.0.1:6390 (connect ECONNREFUSED): start it (redis-server, or docker compose up -d redis) or set REDIS_URL.',
    );
    expect(error.dependency).toBe('redis');
  });

  it('tells a Redis that refuses us from one that is not there, without its password', () => {
    const refusal = Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError' });

    const { message } = redisUnavailable('redis://:hunter2@redis:6379', refusal);

    expect(message).toBe(
      'Redis at redis://:***@redis:6379 refused the connection (WRONGPASS invalid username-password pair): check the credentials and database in REDIS_URL.',
    );
  });

  it('names the SQLite file that cannot be opened and the way out', () => {
    const cause = Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
    const wrapped = new Error('Cannot open the SQLite event store at /x/events.sqlite: unable to open database file', { cause });

    const { message } = eventStoreUnavailable({ kind: 'sqlite', file: '/x/events.sqlite' }, wrapped);

    expect(message).toBe(
      'The event store (SQLite) cannot be opened at /x/events.sqlite (unable to open database file): make DATA_DIR a writable directory, or set EVENTSTORE_URL to use EventStoreDB.',
    );
  });

  it('names EventStoreDB, how to start it, and how to do without it', () => {
    const grpc = new Error(
      '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2113. Resolution note:',
    );

    const { message } = eventStoreUnavailable({ kind: 'eventstoredb', url: 'esdb://localhost:2113?tls=false' }, grpc);

    expect(message).toBe(
      'EventStoreDB is not reachable at esdb://localhost:2113?tls=false (connect ECONNREFUSED): start it (docker compose up -d eventstore) or unset EVENTSTORE_URL to use the embedded SQLite store.',
    );
  });
});

describe('describeFailure', () => {
  it('prefers the socket error anywhere in the cause chain', () => {
    const error = new Error('outer', { cause: new Error('middle', { cause: socketError('getaddrinfo', 'ENOTFOUND') }) });

    expect(describeFailure(error)).toBe('getaddrinfo ENOTFOUND');
  });

  it('otherwise gives the first line of the innermost message, shortened', () => {
    expect(describeFailure(new Error('first line\nsecond line'))).toBe('first line');
    expect(describeFailure(new Error('x'.repeat(300)))).toHaveLength(200);
    expect(describeFailure('a string')).toBe('a string');
  });
});
