/**
 * The HTTP conventions of API.md over real HTTP: a Nest app on Fastify in this process, on
 * 127.0.0.1, with the real guards (auth, idempotency), filter and pipe, the SQLite event
 * store and the SQLite database of the idempotency keys. A controller defined here appends to
 * the event store through `handleCommand`, as the API's command routes do.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, Inject, Module, Param, Post, Res } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { actorFor, Allow, AuthModule, CurrentPrincipal, type Principal, Public, signToken, type TokenClaims } from '@app/auth';
import { DatabaseModule } from '@app/database';
import { type Decider, DomainError } from '@app/domain';
import {
  EVENT_STORE,
  type EventStore,
  EventStoreModule,
  createEventStore,
  handleCommand,
} from '@app/event-store';
import {
  CommandId,
  commandAnswer,
  commandIdFor,
  createHttpAdapter,
  HttpConventionsModule,
  IdempotencyModule,
  IdempotencyStore,
  idempotencyScope,
  requestTarget,
  IfMatch,
  requestFingerprint,
  setETag,
} from './index';

const SECRET = 'the-secret-of-this-test-only-0123456789';

// ---------------------------------------------------------------------------------------------
// A small aggregate: a tally that refuses to pass 100.

type Counted = { type: 'Counted'; data: { by: number; note: string | null } };
type Count = { type: 'Count'; by: number; note?: string };

class TallyLimitExceededError extends DomainError {
  readonly kind = 'illegal-state' as const;
  constructor(total: number) {
    super(`the tally would reach ${total}, past 100`);
  }
}

const tally: Decider<{ total: number }, Count, Counted> = {
  initialState: () => ({ total: 0 }),
  decide: (command, state) => {
    if (state.total + command.by > 100) throw new TallyLimitExceededError(state.total + command.by);
    return { type: 'Counted', data: { by: command.by, note: command.note ?? null } };
  },
  evolve: (state, event) => ({ total: state.total + event.data.by }),
};

class Tag {
  @IsString()
  name!: string;
}

class CountBody {
  @IsInt()
  @Min(1)
  @Max(1000)
  by!: number;

  @IsOptional()
  @IsString()
  note?: string;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => Tag)
  tags?: Tag[];
}

/** A second store, closed: what a lost event store looks like to a request. */
const LOST_STORE = Symbol('LOST_STORE');

/** Holds the slow command until the test lets it go. */
let gate: { opened: Promise<void>; open: () => void; entered: Promise<void>; enter: () => void };
function newGate(): typeof gate {
  let open!: () => void;
  let enter!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  return { opened, open, entered, enter };
}

interface HeaderReply {
  header(name: string, value: string): unknown;
}

@Controller('api')
class TallyController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOST_STORE) private readonly lostStore: EventStore,
  ) {}

  @Post('tallies/:id/counts')
  @Allow('strategic-lead', 'intelligence')
  async count(
    @Param('id') id: string,
    @Body() body: CountBody,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: HeaderReply,
  ): Promise<unknown> {
    // The embedded store answers within the same turn of the event loop; a networked one (or a
    // busy process) does not. One turn given away lets concurrent requests overlap as they would.
    await new Promise((resolve) => setImmediate(resolve));
    const result = await handleCommand(this.store, {
      streamId: `tally-${id}`,
      decider: tally,
      command: { type: 'Count', by: body.by, ...(body.note === undefined ? {} : { note: body.note }) },
      context: {
        commandId,
        actor: actorFor(principal, ['strategic-lead', 'intelligence']),
        correlationId: commandId,
        now: new Date().toISOString(),
      },
      expectedRevision,
    });
    const answer = await commandAnswer(this.store, id, result);
    setETag(reply, answer.revision);
    return answer;
  }

  @Post('tallies/:id/slow-counts')
  @HttpCode(200)
  @Allow('strategic-lead')
  async slowCount(@Param('id') id: string, @Body() body: CountBody, @CommandId() commandId: string): Promise<unknown> {
    gate.enter();
    await gate.opened;
    const result = await handleCommand(this.store, {
      streamId: `tally-${id}`,
      decider: tally,
      command: { type: 'Count', by: body.by },
      context: { commandId, actor: { id: 'u', name: 'u', role: 'strategic-lead' }, correlationId: commandId, now: new Date().toISOString() },
    });
    return commandAnswer(this.store, id, result);
  }

  @Post('tallies/:id/lost-counts')
  @Allow('strategic-lead')
  async lostCount(@Param('id') id: string): Promise<unknown> {
    return this.lostStore.readStream(`tally-${id}`);
  }

  @Get('tallies/:id')
  @Allow('authenticated')
  async read(@Param('id') id: string, @Res({ passthrough: true }) reply: HeaderReply): Promise<unknown> {
    const events = await this.store.readStream(`tally-${id}`);
    const last = events[events.length - 1];
    if (last !== undefined) setETag(reply, last.revision);
    return { id, total: events.reduce((total, event) => total + Number(event.data.by), 0) };
  }

  @Post('raw-streams/:name')
  @Allow('admin')
  async appendRaw(@Param('name') name: string): Promise<unknown> {
    return this.store.appendToStream(`$${name}`, [{ id: randomUUID(), type: 'Raw', data: {}, metadata: { actor: { id: 'a', name: 'a', role: 'admin' }, correlationId: 'c', causationId: 'c', occurredAt: new Date().toISOString() } }], { expectedRevision: 'any' });
  }

  @Get('public')
  @Public()
  open(): unknown {
    return { open: true };
  }

  @Get('undeclared')
  undeclared(): unknown {
    return { secret: 'this must never be served' };
  }

  @Get('broken')
  @Allow('authenticated')
  broken(): unknown {
    throw new TypeError('secret internals: password=hunter2');
  }
}

@Module({})
class TestApiModule {}

// ---------------------------------------------------------------------------------------------
// The app and a client.

const folder = mkdtempSync(join(tmpdir(), 'http-int-'));
const eventStoreConfig = { kind: 'sqlite', file: join(folder, 'events.sqlite') } as const;
const databaseConfig = { kind: 'sqlite', file: join(folder, 'read-model.sqlite') } as const;
const lostStore = createEventStore({ kind: 'sqlite', file: join(folder, 'lost.sqlite') });

let app: NestFastifyApplication;
let port: number;

async function startApp(): Promise<void> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TestApiModule,
      AuthModule.forRoot({ jwtSecret: SECRET }),
      HttpConventionsModule,
      EventStoreModule.forRoot(eventStoreConfig),
      DatabaseModule.forRoot(databaseConfig),
      IdempotencyModule.forRoot(),
    ],
    controllers: [TallyController],
    providers: [{ provide: LOST_STORE, useValue: lostStore }],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  port = Number(new URL(await app.getUrl()).port);
}

beforeAll(async () => {
  await lostStore.close();
  await startApp();
});
afterAll(async () => {
  await app.close();
  rmSync(folder, { recursive: true, force: true });
});

function token(claims: Partial<TokenClaims> = {}): string {
  return signToken({ sub: 'u-lead', name: 'Det Supt Lead', roles: ['strategic-lead'], exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, SECRET);
}
const lead = (): Record<string, string> => ({ authorization: `Bearer ${token()}` });

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; raw?: string | Buffer; port?: number } = {},
): Promise<Answer> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(payload)) }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: options.port ?? port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the test sees the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Sends `count` copies of a request at once: every connection is open and every request's
 * headers are sent before any body is, then all the bodies go in one turn of the event loop, so
 * that the server has them all in hand together.
 */
async function sendAtOnce(count: number, path: string, headers: Record<string, string>, body: unknown): Promise<Answer[]> {
  const payload = JSON.stringify(body);
  const pending = Array.from({ length: count }, () => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
    });
    const answer = new Promise<Answer>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as unknown }));
      });
      req.on('error', reject);
    });
    const connected = new Promise<void>((resolve) => req.on('socket', (socket) => socket.once('connect', () => resolve())));
    req.flushHeaders();
    return { req, answer, connected };
  });
  await Promise.all(pending.map(({ connected }) => connected));
  for (const { req } of pending) req.end(payload);
  return Promise.all(pending.map(({ answer }) => answer));
}

function keyed(key: string, headers: Record<string, string> = lead()): Record<string, string> {
  return { ...headers, 'idempotency-key': `"${key}"` };
}

async function eventsOf(id: string): Promise<number> {
  const store = app.get<EventStore>(EVENT_STORE);
  return (await store.readStream(`tally-${id}`)).length;
}

/** Repeats a request while its key is in flight (409), as a client retrying would. */
async function untilSettled(attempt: () => Promise<Answer>): Promise<Answer> {
  for (let tries = 0; tries < 200; tries += 1) {
    const answer = await attempt();
    if (answer.status !== 409) return answer;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the key stayed in flight');
}

const PROBLEM = /^application\/problem\+json/;

function expectProblem(answer: Answer, status: number): Record<string, unknown> {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(PROBLEM) });
  expect(answer.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  return answer.body as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------

describe('commands over HTTP', () => {
  it('answers a command with 201, { id, revision, position } and the ETag', async () => {
    const id = randomUUID();
    const answer = await send('POST', `/api/tallies/${id}/counts`, { headers: lead(), body: { by: 2 } });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id, revision: 0, position: expect.stringMatching(/^\d+$/) });
    expect(answer.headers.etag).toBe('"0"');
  });
});

describe('problems', () => {
  it('400 for an unknown field, with its path', async () => {
    const problem = expectProblem(
      await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: lead(), body: { by: 1, extra: true, tags: [{ name: 'a', colour: 'red' }] } }),
      400,
    );
    expect(problem.errors).toEqual([
      { field: 'extra', message: 'property extra should not exist' },
      { field: 'tags.0.colour', message: 'property colour should not exist' },
    ]);
  });

  it('400 for an invalid nested value, with its path', async () => {
    const problem = expectProblem(
      await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: lead(), body: { by: 0, tags: [{ name: 'a' }, { name: 7 }] } }),
      400,
    );
    expect(problem).toMatchObject({
      type: '/problems/validation',
      errors: [
        { field: 'by', message: 'by must not be less than 1' },
        { field: 'tags.1.name', message: 'name must be a string' },
      ],
    });
  });

  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['a string', 'by'],
  ])('400 for a body that is %s', async (_case, body) => {
    expectProblem(await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: lead(), body }), 400);
  });

  it('400 for malformed JSON, and for an empty JSON body', async () => {
    const headers = { ...lead(), 'content-type': 'application/json' };
    const malformed = expectProblem(await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers, raw: '{"by": 1,' }), 400);
    expect(malformed).toMatchObject({ type: '/problems/malformed-json', errors: [] });
    expectProblem(await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers, raw: '' }), 400);
  });

  it('400 for a JSON body poisoning a prototype', async () => {
    const headers = { ...lead(), 'content-type': 'application/json' };
    expectProblem(await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers, raw: '{"by": 1, "__proto__": {"admin": true}}' }), 400);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('415 for a body of %s', async (type) => {
    const answer = await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: { ...lead(), 'content-type': type }, raw: 'by=1' });
    expect(expectProblem(answer, 415).type).toBe('/problems/unsupported-media-type');
  });

  it('413 for a body of 300 KiB', async () => {
    const raw = JSON.stringify({ by: 1, note: 'x'.repeat(300 * 1024) });
    expectProblem(await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: { ...lead(), 'content-type': 'application/json' }, raw }), 413);
  });

  it('accepts a body just under 256 KiB', async () => {
    const note = 'x'.repeat(256 * 1024 - 100);
    expect((await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: lead(), body: { by: 1, note } })).status).toBe(201);
  });

  it('400 and 414 from the router itself, as problem+json', async () => {
    expectProblem(await send('GET', '/api/tallies/%zz', { headers: lead() }), 400);
    expectProblem(await send('GET', `/api/tallies/${'a'.repeat(300)}`, { headers: lead() }), 414);
  });

  it('404 for an unknown route', async () => {
    const problem = expectProblem(await send('GET', '/api/nowhere', { headers: lead() }), 404);
    expect(problem.type).toBe('about:blank');
    expectProblem(await send('GET', '/nowhere-without-token'), 404);
  });

  it('409 for a command the state refuses, with the rule as its type', async () => {
    const id = randomUUID();
    await send('POST', `/api/tallies/${id}/counts`, { headers: lead(), body: { by: 90 } });
    const problem = expectProblem(await send('POST', `/api/tallies/${id}/counts`, { headers: lead(), body: { by: 20 } }), 409);
    expect(problem).toMatchObject({ type: '/problems/tally-limit-exceeded', title: 'Tally limit exceeded', detail: 'the tally would reach 110, past 100' });
  });

  it('400 for an append the event store refuses', async () => {
    const admin = { authorization: `Bearer ${token({ roles: ['admin'] })}` };
    expect(expectProblem(await send('POST', '/api/raw-streams/all', { headers: admin }), 400).type).toBe('/problems/invalid-event');
  });

  it('503 with Retry-After when the event store is lost', async () => {
    const answer = await send('POST', `/api/tallies/${randomUUID()}/lost-counts`, { headers: lead() });
    expectProblem(answer, 503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(JSON.stringify(answer.body)).not.toContain('sqlite');
  });

  it('500 without internals for a bug', async () => {
    const answer = await send('GET', '/api/broken', { headers: lead() });
    const problem = expectProblem(answer, 500);
    expect(JSON.stringify(problem)).not.toMatch(/hunter2|secret|TypeError|at /);
    expect(problem.instance).toMatch(/^urn:uuid:/);
  });
});

describe('auth', () => {
  it('401 with a Bearer challenge without a token', async () => {
    const answer = await send('POST', `/api/tallies/${randomUUID()}/counts`, { body: { by: 1 } });
    expectProblem(answer, 401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it.each([
    ['a bad signature', () => signToken({ sub: 'u', roles: ['strategic-lead'], exp: Math.floor(Date.now() / 1000) + 60 }, 'another-secret')],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['alg none', () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u', roles: ['admin'], exp: 9e9 })).toString('base64url')}.`],
    ['an unknown role', () => token({ roles: ['root' as never] })],
    ['an lpa role without its lpa', () => token({ roles: ['lpa'] })],
    ['garbage', () => 'not-a-token'],
    ['a token not yet valid', () => token({ nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['no sub', () => token({ sub: '' })],
    ['a tampered payload (roles raised, signature kept)', () => {
      const [header, , signature] = token({ roles: ['board'] }).split('.');
      const raised = Buffer.from(JSON.stringify({ sub: 'u-lead', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
      return `${header}.${raised}.${signature}`;
    }],
  ])('401 with invalid_token for %s', async (_case, bad) => {
    const answer = await send('GET', `/api/tallies/${randomUUID()}`, { headers: { authorization: `Bearer ${bad()}` } });
    expectProblem(answer, 401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
  });

  it('401 for a token over 8 KiB', async () => {
    const answer = await send('GET', `/api/tallies/${randomUUID()}`, { headers: { authorization: `Bearer ${token({ name: 'x'.repeat(9000) })}` } });
    expectProblem(answer, 401);
  });

  it('403 for a valid token without an allowed role', async () => {
    const board = { authorization: `Bearer ${token({ roles: ['board'] })}` };
    const answer = await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: board, body: { by: 1 } });
    expectProblem(answer, 403);
    expect(answer.headers['www-authenticate']).toBeUndefined();
  });

  it('lets any valid token through "authenticated", and anyone through a public route', async () => {
    const lpa = { authorization: `Bearer ${token({ roles: ['lpa'], lpa: 'shropshire' })}` };
    expect((await send('GET', `/api/tallies/${randomUUID()}`, { headers: lpa })).status).toBe(200);
    expect(await send('GET', '/api/public')).toMatchObject({ status: 200, body: { open: true } });
  });

  it('refuses a route that declares no access to everyone, whatever the token', async () => {
    for (const roles of [['admin'], ['strategic-lead', 'board']] as const) {
      const answer = await send('GET', '/api/undeclared', { headers: { authorization: `Bearer ${token({ roles: [...roles] })}` } });
      expectProblem(answer, 403);
      expect(JSON.stringify(answer.body)).not.toContain('never be served');
    }
    expectProblem(await send('GET', '/api/undeclared'), 403);
  });
});

describe('If-Match', () => {
  it('applies a command against the revision named, and answers 412 when the stream moved on', async () => {
    const id = randomUUID();
    await send('POST', `/api/tallies/${id}/counts`, { headers: lead(), body: { by: 1 } });
    const read = await send('GET', `/api/tallies/${id}`, { headers: lead() });
    expect(read.headers.etag).toBe('"0"');

    const applied = await send('POST', `/api/tallies/${id}/counts`, { headers: { ...lead(), 'if-match': '"0"' }, body: { by: 1 } });
    expect(applied).toMatchObject({ status: 201, body: { revision: 1 } });

    const stale = await send('POST', `/api/tallies/${id}/counts`, { headers: { ...lead(), 'if-match': '"0"' }, body: { by: 1 } });
    expect(expectProblem(stale, 412).type).toBe('/problems/stale-revision');
    expect(stale.headers.etag).toBeUndefined();
    expect(await eventsOf(id)).toBe(2);
  });

  it.each(['W/"0"', '*', '0', '"0", "1"'])('400 for If-Match: %s', async (ifMatch) => {
    const answer = await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: { ...lead(), 'if-match': ifMatch }, body: { by: 1 } });
    expect(expectProblem(answer, 400).type).toBe('/problems/invalid-if-match');
  });
});

describe('Idempotency-Key', () => {
  it('answers 50 sequential repeats as the first, with one event', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const first = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 1, note: 'once' } });
    expect(first.status).toBe(201);

    for (let repeat = 0; repeat < 50; repeat += 1) {
      // The same body, its keys in another order.
      const again = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { note: 'once', by: 1 } });
      expect({ status: again.status, body: again.body, etag: again.headers.etag, replayed: again.headers['idempotent-replayed'] }).toEqual({
        status: 201,
        body: first.body,
        etag: '"0"',
        replayed: 'true',
      });
    }
    expect(await eventsOf(id)).toBe(1);
  });

  it('answers 50 concurrent repeats as the first or as in flight, with one event', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const answers = await sendAtOnce(50, `/api/tallies/${id}/counts`, keyed(key), { by: 3 });

    const done = answers.filter((answer) => answer.status === 201);
    const inFlight = answers.filter((answer) => answer.status === 409);
    expect(done.length + inFlight.length).toBe(50);
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const answer of done) expect(answer.body).toEqual(done[0]!.body);
    for (const answer of inFlight) expect(answer.body).toMatchObject({ type: '/problems/idempotency-key-in-flight', status: 409 });

    const settled = await untilSettled(() => send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 3 } }));
    expect(settled).toMatchObject({ status: 201, body: done[0]!.body });
    expect(await eventsOf(id)).toBe(1);
  });

  it('422 for the key with another body, or another If-Match', async () => {
    const id = randomUUID();
    const key = randomUUID();
    await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 1 } });

    const other = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 2 } });
    expect(expectProblem(other, 422).type).toBe('/problems/idempotency-key-reused');
    expectProblem(await send('POST', `/api/tallies/${id}/counts`, { headers: { ...keyed(key), 'if-match': '"0"' }, body: { by: 1 } }), 422);
    expect(await eventsOf(id)).toBe(1);
  });

  it('keeps keys apart per user and per path', async () => {
    const key = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    const analyst = { authorization: `Bearer ${token({ sub: 'u-analyst', roles: ['intelligence'] })}` };
    expect((await send('POST', `/api/tallies/${a}/counts`, { headers: keyed(key), body: { by: 1 } })).status).toBe(201);
    expect((await send('POST', `/api/tallies/${a}/counts`, { headers: keyed(key, analyst), body: { by: 1 } })).headers['idempotent-replayed']).toBeUndefined();
    expect((await send('POST', `/api/tallies/${b}/counts`, { headers: keyed(key), body: { by: 5 } })).status).toBe(201);
    expect([await eventsOf(a), await eventsOf(b)]).toEqual([2, 1]);
  });

  it('409 for a repeat while the first is in flight, then the first answer', async () => {
    const id = randomUUID();
    const key = randomUUID();
    gate = newGate();
    const first = send('POST', `/api/tallies/${id}/slow-counts`, { headers: keyed(key), body: { by: 4 } });
    await gate.entered;

    const repeat = await send('POST', `/api/tallies/${id}/slow-counts`, { headers: keyed(key), body: { by: 4 } });
    expect(expectProblem(repeat, 409).type).toBe('/problems/idempotency-key-in-flight');

    gate.open();
    const answered = await first;
    expect(answered.status).toBe(200);
    const after = await send('POST', `/api/tallies/${id}/slow-counts`, { headers: keyed(key), body: { by: 4 } });
    expect({ status: after.status, body: after.body }).toEqual({ status: 200, body: answered.body });
    expect(await eventsOf(id)).toBe(1);
  });

  it('answers a retry after a reply lost past the commit as the first would have, with one event', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const body = JSON.stringify({ by: 6 });
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
    socket.write(
      `POST /api/tallies/${id}/counts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${lead().authorization}\r\n` +
        `Idempotency-Key: "${key}"\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // The command commits; the client goes away without reading a byte of the answer.
    for (let polls = 0; (await eventsOf(id)) === 0; polls += 1) {
      if (polls > 2000) throw new Error('the command never committed');
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.destroy();

    const retry = await untilSettled(() => send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 6 } }));
    const [event] = await app.get<EventStore>(EVENT_STORE).readStream(`tally-${id}`);
    expect(retry).toMatchObject({ status: 201, body: { id, revision: 0, position: String(event!.position) } });
    expect(await eventsOf(id)).toBe(1);
  });

  it('knows a key by the resource it acts on, however the path is spelled', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const first = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 1 } });
    const encoded = `%${id.charCodeAt(0).toString(16)}${id.slice(1)}`;
    const again = await send('POST', `/api/tallies/${encoded}/counts`, { headers: keyed(key), body: { by: 1 } });

    expect(again).toMatchObject({ status: first.status, body: first.body });
    expect(await eventsOf(id)).toBe(1);
  });

  it('takes over a claim a crash left in flight, and the re-run appends nothing', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const path = `/api/tallies/${id}/counts`;
    const body = { by: 7 };
    // A request claimed the key a minute ago, committed its event, and died before answering.
    const scope = idempotencyScope('u-lead', 'POST', requestTarget('/api/tallies/:id/counts', { id }), key);
    const fingerprint = requestFingerprint(body, undefined);
    const commandId = commandIdFor(scope, fingerprint);
    const crashed = await app.get(IdempotencyStore).claim(scope, fingerprint, commandId, Date.now() - 60_000);
    expect(crashed.kind).toBe('claimed');
    const store = app.get<EventStore>(EVENT_STORE);
    const committed = await handleCommand(store, {
      streamId: `tally-${id}`,
      decider: tally,
      command: { type: 'Count', by: 7 },
      context: { commandId, actor: { id: 'u-lead', name: 'Det Supt Lead', role: 'strategic-lead' }, correlationId: commandId, now: new Date().toISOString() },
    });

    const retry = await send('POST', path, { headers: keyed(key), body });

    expect(retry).toMatchObject({ status: 201, body: { id, revision: 0, position: String(committed.position) } });
    expect(await eventsOf(id)).toBe(1);
  });

  it('stores the final answer of a refused command, and replays it', async () => {
    const id = randomUUID();
    await send('POST', `/api/tallies/${id}/counts`, { headers: lead(), body: { by: 100 } });
    const key = randomUUID();
    const refused = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 1 } });
    expectProblem(refused, 409);

    const again = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 1 } });
    expect({ status: again.status, body: again.body, type: again.headers['content-type'] }).toEqual({
      status: 409,
      body: refused.body,
      type: expect.stringMatching(PROBLEM),
    });
  });

  it('stores no answer a retry could change: a 503 releases the key', async () => {
    const key = randomUUID();
    const id = randomUUID();
    expectProblem(await send('POST', `/api/tallies/${id}/lost-counts`, { headers: keyed(key) }), 503);
    const again = await send('POST', `/api/tallies/${id}/lost-counts`, { headers: keyed(key) });
    expectProblem(again, 503);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('400 for a malformed key', async () => {
    const answer = await send('POST', `/api/tallies/${randomUUID()}/counts`, { headers: { ...lead(), 'idempotency-key': 'two words' }, body: { by: 1 } });
    expect(expectProblem(answer, 400).type).toBe('/problems/invalid-idempotency-key');
  });

  /** Another app like the one above, on files of its own; `first` is imported before the rest. */
  async function anotherApp(first: 'auth' | 'idempotency', onSend?: () => Promise<void>): Promise<{ app: NestFastifyApplication; port: number }> {
    const files = mkdtempSync(join(folder, 'another-'));
    const auth = AuthModule.forRoot({ jwtSecret: SECRET });
    const idempotency = IdempotencyModule.forRoot();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestApiModule,
        ...(first === 'auth' ? [auth, idempotency] : [idempotency, auth]),
        HttpConventionsModule,
        EventStoreModule.forRoot({ kind: 'sqlite', file: join(files, 'events.sqlite') }),
        DatabaseModule.forRoot({ kind: 'sqlite', file: join(files, 'read-model.sqlite') }),
      ],
      controllers: [TallyController],
      providers: [{ provide: LOST_STORE, useValue: lostStore }],
    }).compile();
    const adapter = createHttpAdapter();
    if (onSend) adapter.getInstance().addHook('onSend', async (_request, _reply, payload) => (await onSend(), payload));
    const another = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger: false });
    await another.listen(0, '127.0.0.1');
    return { app: another, port: Number(new URL(await another.getUrl()).port) };
  }

  it('fails a keyed request closed (500) if its guard ever runs before the auth guard, rather than share keys between callers', async () => {
    const { app: reversed, port: reversedPort } = await anotherApp('idempotency');
    try {
      const path = `/api/tallies/${randomUUID()}/counts`;
      const anonymous = await send('POST', path, { headers: { 'idempotency-key': `"${randomUUID()}"` }, body: { by: 1 }, port: reversedPort });
      const keyedAnswer = await send('POST', path, { headers: keyed(randomUUID()), body: { by: 1 }, port: reversedPort });
      expect([anonymous.status, keyedAnswer.status]).toEqual([500, 500]);
      expect(JSON.stringify(keyedAnswer.body)).not.toMatch(/IdempotencyGuard|AuthGuard/);
      // Without a key, nothing depends on the order.
      expect((await send('POST', path, { headers: lead(), body: { by: 1 }, port: reversedPort })).status).toBe(201);
    } finally {
      await reversed.close();
    }
  });

  it('replays the stored answer as it was also when the server sends asynchronously (an async onSend hook)', async () => {
    const { app: hooked, port: hookedPort } = await anotherApp('auth', () => new Promise((resolve) => setImmediate(resolve)));
    try {
      const path = `/api/tallies/${randomUUID()}/counts`;
      const key = randomUUID();
      const first = await send('POST', path, { headers: keyed(key), body: { by: 2 }, port: hookedPort });
      const again = await send('POST', path, { headers: keyed(key), body: { by: 2 }, port: hookedPort });
      expect(first.status).toBe(201);
      expect({ status: again.status, body: again.body, etag: again.headers.etag, type: again.headers['content-type'], replayed: again.headers['idempotent-replayed'] }).toEqual({
        status: 201,
        body: first.body,
        etag: first.headers.etag,
        type: first.headers['content-type'],
        replayed: 'true',
      });
    } finally {
      await hooked.close();
    }
  });

  it('replays a stored answer after a restart of the app on the same database', async () => {
    const id = randomUUID();
    const key = randomUUID();
    const first = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 8 } });
    expect(first.status).toBe(201);

    await app.close();
    await startApp();

    const again = await send('POST', `/api/tallies/${id}/counts`, { headers: keyed(key), body: { by: 8 } });
    expect({ status: again.status, body: again.body, replayed: again.headers['idempotent-replayed'] }).toEqual({
      status: 201,
      body: first.body,
      replayed: 'true',
    });
    expect(await eventsOf(id)).toBe(1);
  });
});
