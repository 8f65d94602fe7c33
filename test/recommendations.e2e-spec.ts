/**
 * Inspections and recommendations over HTTP against the built standalone app (`npm start`) as a
 * real process, once with the embedded SQLite read model and once with the read model in
 * PostgreSQL (DATABASE_URL): every route of API.md for them, success and each refusal; the role
 * matrix as one declared table; 16 clients racing on one If-Match; Idempotency-Key against the
 * real routes (a lost reply included); and, once the app has stopped, its read model compared
 * table by table with a rebuild from its log.
 *
 * Within one installation the tests build on each other's state (the `ep-*` recommendations move
 * through their lifecycle test by test), so run the file whole rather than single tests of it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { signToken } from '@app/auth';
import { type DatabaseConfig, openDatabase } from '@app/database';
import { TestDatabases } from '@app/database/testing/test-databases';
import type { Role } from '@app/domain';
import { STOLEN_FREEDOM_RECOMMENDATIONS } from '@app/domain/testing/stolen-freedom';
import { createEventStore } from '@app/event-store';
import { migrateReadModel, READ_MODEL_TABLES, type ReadModelSchema, rebuildReadModel } from '@app/read-model';
import { HttpClient, postAndHangUp, type Reply, tokenFor } from './support/http-client';
import { freePort, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from './support/processes';

const STANDALONE = 'dist/apps/standalone/src/main.js';
const SECRET = `recommendations-e2e-${randomUUID()}`;

// ---------------------------------------------------------------------------------------------
// Who calls (DOMAIN.md, "Who uses it")
// ---------------------------------------------------------------------------------------------

const PEOPLE = {
  lead: { sub: 'u-det-supt', name: 'Det Supt (strategic lead)', roles: ['strategic-lead'] },
  board: { sub: 'u-sib-chair', name: 'Service Improvement Board chair', roles: ['board'] },
  intelligence: { sub: 'u-fib-ds', name: 'FIB threat desk DS', roles: ['intelligence'] },
  registrar: { sub: 'u-fcr', name: 'Force Crime Registrar', roles: ['registrar'] },
  lpa: { sub: 'u-lpa-hfd', name: 'Herefordshire LPA commander', roles: ['lpa'], lpa: 'herefordshire' },
  admin: { sub: 'u-admin', name: 'System owner', roles: ['admin'] },
  /** The strategic lead who also sits on the board: one user id, both roles. */
  dual: { sub: 'u-lead-on-board', name: 'Strategic lead on the board', roles: ['strategic-lead', 'board'] },
} as const satisfies Record<string, { sub: string; name: string; roles: readonly Role[]; lpa?: string }>;

const TOKENS = Object.fromEntries(
  Object.entries(PEOPLE).map(([who, subject]) => [who, tokenFor(SECRET, subject)]),
) as Record<keyof typeof PEOPLE, string>;
const lead = TOKENS.lead;
const board = TOKENS.board;

const nowSeconds = Math.floor(Date.now() / 1000);
const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens that must each be a 401, whatever route they are sent to. */
const BAD_TOKENS: ReadonlyArray<readonly [string, string]> = [
  ['signed with another secret', tokenFor('not-the-secret', PEOPLE.lead)],
  ['expired', signToken({ ...PEOPLE.lead, exp: nowSeconds - 3600 }, SECRET)],
  ['not a JWT', 'not-a-jwt'],
  ['alg none', `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...PEOPLE.lead, exp: nowSeconds + 3600 })}.`],
  ['the lpa role without an lpa claim', signToken({ sub: 'u-lpa', roles: ['lpa'], exp: nowSeconds + 3600 }, SECRET)],
  ['an unknown role', signToken({ sub: 'u-x', roles: ['superuser' as Role], exp: nowSeconds + 3600 }, SECRET)],
];

// ---------------------------------------------------------------------------------------------
// What the API answers (API.md), as a black box sees it
// ---------------------------------------------------------------------------------------------

interface CommandAnswer {
  readonly id: string;
  readonly revision: number;
  readonly position: string;
}
interface InspectionAnswer extends CommandAnswer {
  readonly recommendations: ReadonlyArray<{ id: string; number: number; dueOn: string }>;
}
interface ActionAnswer extends CommandAnswer {
  readonly actionId: string;
}
interface ActionView {
  readonly id: string;
  readonly description: string;
  readonly ownerId: string;
  readonly dueOn: string;
  readonly lpa: string | null;
  readonly status: string;
}
interface RecommendationView {
  readonly id: string;
  readonly number: number;
  readonly text: string;
  readonly addressee: string;
  readonly area: string;
  readonly status: string;
  readonly rag: string;
  readonly owner: { id: string; name: string } | null;
  readonly dueOn: string;
  readonly originalDueOn: string;
  readonly actions: readonly ActionView[];
  readonly revision: number;
}
interface HistoryEvent {
  readonly eventId: string;
  readonly position: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: { id: string; name: string; role: string };
  readonly data: Record<string, unknown>;
}
interface ListAnswer<Item> {
  readonly items: readonly Item[];
  readonly next: string | null;
}
interface RecommendationCounts {
  readonly total: number;
  readonly byStatus: Record<string, number>;
  readonly byRag: Record<string, number>;
  readonly overdueActions: number;
}
interface BoardSummary {
  readonly asOf: string;
  readonly recommendations: RecommendationCounts;
}
interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: ReadonlyArray<{ field: string; message: string }>;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A command's answer: status, `{ id, revision, position }` with a decimal position, and its ETag. */
function expectCommandAnswer<Answer extends CommandAnswer>(reply: Reply, status: 200 | 201, id: string): Answer {
  expect({ status: reply.status, body: reply.body }).toMatchObject({
    status,
    body: { id, revision: expect.any(Number), position: expect.stringMatching(DECIMAL) },
  });
  const answer = reply.body as Answer;
  expect(reply.headers.etag).toBe(`"${answer.revision}"`);
  return answer;
}

/** A problem+json answer with this status (and type, when given); for a 400, the fields at fault. */
function expectProblem(reply: Reply, status: number, type?: string, fields?: readonly string[]): Problem {
  expect({ status: reply.status, body: reply.body }).toMatchObject({
    status,
    body: { status, type: type ?? expect.any(String), title: expect.any(String), detail: expect.any(String) },
  });
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(reply.headers.etag).toBeUndefined();
  const problem = reply.body as Problem;
  if (status === 400) {
    expect(Array.isArray(problem.errors)).toBe(true);
    for (const field of fields ?? []) {
      expect(problem.errors?.map((issue) => issue.field)).toContain(field);
    }
  }
  return problem;
}

/** A 401 with its challenge: no error code without a token, `invalid_token` for a bad one. */
function expectUnauthorized(reply: Reply, hadToken: boolean): void {
  expectProblem(reply, 401);
  expect(reply.headers['www-authenticate']).toMatch(hadToken ? /^Bearer realm="api", error="invalid_token"/ : /^Bearer realm="api"$/);
}

/** The clock has moved past `instant` (by at least a millisecond): what happens next is recorded after it. */
async function clockPast(instant: string): Promise<void> {
  const limit = Date.parse(instant);
  while (Date.now() <= limit) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Polls `attempt` until it gives a value (never a fixed sleep: waitFor polls a condition). */
async function eventually<T>(what: string, process: RunningProcess, attempt: () => Promise<T | undefined>): Promise<T> {
  const box: { value?: T } = {};
  await waitFor(
    async () => {
      box.value = await attempt();
      return box.value !== undefined;
    },
    { what, process },
  );
  return box.value as T;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, index) => index);

/** API.md, Values: `immediately` is due on publication, the others that many calendar months later. */
const DUE_ON: Record<string, string> = {
  immediately: '2017-10-24',
  'within-6-months': '2018-04-24',
  'within-12-months': '2018-10-24',
};

function inspectionBody(id: string, recommendations: readonly object[] = STOLEN_FREEDOM_RECOMMENDATIONS) {
  return {
    id,
    title: 'Stolen Freedom: the policing response to modern slavery and human trafficking',
    inspectorate: 'HMICFRS',
    publishedOn: '2017-10-24',
    recommendations: recommendations.map((terms) => ({ ...terms })),
  };
}

const FORCES_RECOMMENDATION = {
  number: 1,
  text: 'Forces should review their leadership and governance arrangements.',
  addressee: 'forces',
  area: 'leadership',
  timescale: 'within-12-months',
} as const;

// ---------------------------------------------------------------------------------------------
// One installation: the standalone app with its own data directory, port, queue prefix and
// read model (SQLite in DATA_DIR, or a fresh PostgreSQL database)
// ---------------------------------------------------------------------------------------------

const databases = new TestDatabases();

interface Backend {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly dialect: 'sqlite' | 'postgres';
}

class Installation {
  app!: RunningProcess;
  http!: HttpClient;
  dataDir!: string;
  readModel!: DatabaseConfig;
  private sentinels = 0;

  constructor(readonly backend: Backend) {}

  async start(): Promise<void> {
    this.dataDir = mkdtempSync(join(tmpdir(), 'recommendations-e2e-'));
    const port = await freePort();
    const env: Record<string, string> = {
      DATA_DIR: this.dataDir,
      PORT: String(port),
      AUTH_JWT_SECRET: SECRET,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `recommendations-e2e-${process.pid}-${this.backend.dialect}`,
    };
    if (this.backend.dialect === 'postgres') {
      this.readModel = await databases.postgres();
      if (this.readModel.kind === 'postgres') env.DATABASE_URL = this.readModel.url;
    } else {
      this.readModel = { kind: 'sqlite', file: join(this.dataDir, 'read-model.sqlite') };
    }
    this.app = startApp(STANDALONE, env);
    await waitForStatus(port, '/health/ready', 200, this.app);
    this.http = new HttpClient(port);
    // The sentinel: one recommendation, assigned, that `mark()` reassigns to mark the log's head.
    await this.registerInspection('sentinel', [FORCES_RECOMMENDATION]);
    await this.assign('sentinel-1', 'sentinel-0');
  }

  async dispose(): Promise<void> {
    this.http?.close();
    await this.app?.stop('SIGKILL');
    if (this.dataDir !== undefined) rmSync(this.dataDir, { recursive: true, force: true });
  }

  get port(): number {
    return this.http.port;
  }

  async command<Answer extends CommandAnswer = CommandAnswer>(
    path: string,
    json: unknown,
    options: { token?: string; status?: 200 | 201; id: string; headers?: Record<string, string> },
  ): Promise<Answer> {
    const reply = await this.http.post(path, options.token ?? lead, json, options.headers);
    return expectCommandAnswer<Answer>(reply, options.status ?? 200, options.id);
  }

  registerInspection(id: string, recommendations?: readonly object[]): Promise<InspectionAnswer> {
    return this.command<InspectionAnswer>('/api/inspections', inspectionBody(id, recommendations), { status: 201, id });
  }

  assign(id: string, ownerId: string, token = lead): Promise<CommandAnswer> {
    return this.command(`/api/recommendations/${id}/assignment`, { ownerId, ownerName: `Owner ${ownerId}` }, { id, token });
  }

  planAction(id: string, description: string, extra: object = {}): Promise<ActionAnswer> {
    return this.command<ActionAnswer>(
      `/api/recommendations/${id}/actions`,
      { description, ownerId: 'u-di', dueOn: '2018-03-31', ...extra },
      { id, status: 201 },
    );
  }

  propose(id: string, token = lead): Promise<CommandAnswer> {
    return this.command(`/api/recommendations/${id}/closure-proposal`, { evidence: `evidence for ${id}` }, { id, token });
  }

  decide(id: string, decision: 'approve' | 'reject', token = board): Promise<CommandAnswer> {
    return this.command(`/api/recommendations/${id}/closure-decision`, { decision, reason: `${decision}d` }, { id, token });
  }

  /** A recommendation as the read model holds it once it reflects `position`; with its ETag. */
  async recommendation(id: string, position: string, token = lead): Promise<RecommendationView> {
    const reply = await this.http.get<RecommendationView>(`/api/recommendations/${id}?position=${position}`, token);
    expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 200, body: { id } });
    expect(reply.headers.etag).toBe(`"${reply.body.revision}"`);
    return reply.body;
  }

  async streamEvents(id: string, position: string): Promise<HistoryEvent[]> {
    const reply = await this.http.get<{ events: HistoryEvent[] }>(`/api/recommendations/${id}/history?position=${position}`, board);
    expect(reply.status).toBe(200);
    return reply.body.events;
  }

  /** Every event of the global log matching `query`, once the read model reflects `position`, paged through. */
  async history(query: string, position: string, from = ''): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let after = from;
    for (;;) {
      const reply = await this.http.get<ListAnswer<HistoryEvent>>(
        `/api/history?limit=1000&position=${position}${query === '' ? '' : `&${query}`}${after === '' ? '' : `&after=${after}`}`,
        board,
      );
      expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 200 });
      events.push(...reply.body.items);
      if (reply.body.next === null) return events;
      after = reply.body.next;
    }
  }

  /** Appends one event of our own and answers its position: the head of the log, marked. */
  async mark(): Promise<string> {
    this.sentinels += 1;
    return (await this.assign('sentinel-1', `sentinel-${this.sentinels}`)).position;
  }

  /** The events appended after `after`, up to a fresh mark (left out). */
  async eventsSince(after: string): Promise<HistoryEvent[]> {
    const head = await this.mark();
    const events = await this.history('', head, after);
    expect(events.pop()?.position).toBe(head);
    return events;
  }
}

afterAll(async () => {
  await stopAll();
  await databases.dropAll();
});

// ---------------------------------------------------------------------------------------------
// The role matrix (API.md, Commands and Queries), one declared table
// ---------------------------------------------------------------------------------------------

type Who = 'strategic-lead' | 'intelligence' | 'registrar' | 'lpa' | 'board' | 'admin';
const WHO: readonly Who[] = ['strategic-lead', 'intelligence', 'registrar', 'lpa', 'board', 'admin'];
const Y = 'allowed';
const N = 'refused';
type Access = typeof Y | typeof N;
type AccessRow = readonly [method: 'GET' | 'POST', route: string, ...cells: [Access, Access, Access, Access, Access, Access]];

/** Anonymous callers and bad tokens are refused everywhere with a 401; these columns say who else is refused (403). */
const ACCESS: readonly AccessRow[] = [
  // method  route                                                  lead intel reg  lpa  board admin
  ['POST', '/api/inspections',                                       Y,   N,    N,   N,   N,    N],
  ['POST', '/api/recommendations/:id/assignment',                    Y,   N,    N,   N,   N,    N],
  ['POST', '/api/recommendations/:id/actions',                       Y,   N,    N,   N,   N,    N],
  ['POST', '/api/recommendations/:id/actions/:actionId/progress',    Y,   N,    N,   N,   N,    N],
  ['POST', '/api/recommendations/:id/due-date',                      Y,   N,    N,   N,   N,    N],
  ['POST', '/api/recommendations/:id/closure-proposal',              Y,   N,    N,   N,   N,    N],
  ['POST', '/api/recommendations/:id/closure-decision',              N,   N,    N,   N,   Y,    N],
  ['POST', '/api/recommendations/:id/reopening',                     N,   N,    N,   N,   Y,    N],
  ['GET',  '/api/recommendations',                                   Y,   Y,    Y,   N,   Y,    Y],
  ['GET',  '/api/recommendations/:id',                               Y,   Y,    Y,   N,   Y,    Y],
  ['GET',  '/api/recommendations/:id/history',                       Y,   Y,    Y,   N,   Y,    Y],
  ['GET',  '/api/board/summary',                                     Y,   N,    N,   N,   Y,    N],
  ['GET',  '/api/history',                                           Y,   N,    N,   N,   Y,    N],
];

const MATRIX_TOKENS: Record<Who | 'anonymous' | 'bad-token', string | undefined> = {
  'strategic-lead': TOKENS.lead,
  intelligence: TOKENS.intelligence,
  registrar: TOKENS.registrar,
  lpa: TOKENS.lpa,
  board: TOKENS.board,
  admin: TOKENS.admin,
  anonymous: undefined,
  // Holds every role, so a guard that skipped the signature would let it through anywhere.
  'bad-token': tokenFor('not-the-secret', { sub: 'u-forger', roles: [...WHO], lpa: 'herefordshire' }),
};

/** What each route is sent in the matrix: a real request that would change the state if let through. */
type MatrixRequest = (cell: number) => { readonly path: string; readonly json?: unknown };

async function prepareMatrix(env: Installation): Promise<Record<string, MatrixRequest>> {
  await env.registerInspection('matrix');
  await env.assign('matrix-4', 'u-owner');
  await env.assign('matrix-6', 'u-owner');
  const progressed = await env.planAction('matrix-6', 'an action to progress');
  await env.assign('matrix-8', 'u-owner');
  await env.planAction('matrix-8', 'work before closure');
  await env.assign('matrix-9', 'u-owner');
  await env.planAction('matrix-9', 'work before closure');
  await env.propose('matrix-9');
  await env.assign('matrix-5', 'u-owner');
  await env.planAction('matrix-5', 'work before closure');
  await env.propose('matrix-5');
  await env.decide('matrix-5', 'approve');
  return {
    'POST /api/inspections': (cell) => ({
      path: '/api/inspections',
      json: inspectionBody(`matrix-inspection-${cell}`, [FORCES_RECOMMENDATION]),
    }),
    'POST /api/recommendations/:id/assignment': (cell) => ({
      path: '/api/recommendations/matrix-2/assignment',
      json: { ownerId: `u-matrix-${cell}`, ownerName: `Owner ${cell}` },
    }),
    'POST /api/recommendations/:id/actions': (cell) => ({
      path: '/api/recommendations/matrix-4/actions',
      json: { description: `matrix action ${cell}`, ownerId: 'u-di', dueOn: '2018-06-30' },
    }),
    'POST /api/recommendations/:id/actions/:actionId/progress': (cell) => ({
      path: `/api/recommendations/matrix-6/actions/${progressed.actionId}/progress`,
      json: { status: 'in-progress', note: `cell ${cell}` },
    }),
    'POST /api/recommendations/:id/due-date': (cell) => ({
      path: '/api/recommendations/matrix-7/due-date',
      json: { dueOn: `2030-01-${String(1 + (cell % 28)).padStart(2, '0')}`, reason: `cell ${cell}` },
    }),
    'POST /api/recommendations/:id/closure-proposal': (cell) => ({
      path: '/api/recommendations/matrix-8/closure-proposal',
      json: { evidence: `evidence ${cell}` },
    }),
    'POST /api/recommendations/:id/closure-decision': (cell) => ({
      path: '/api/recommendations/matrix-9/closure-decision',
      json: { decision: 'approve', reason: `cell ${cell}` },
    }),
    'POST /api/recommendations/:id/reopening': (cell) => ({
      path: '/api/recommendations/matrix-5/reopening',
      json: { reason: `cell ${cell}` },
    }),
    'GET /api/recommendations': () => ({ path: '/api/recommendations?limit=1' }),
    'GET /api/recommendations/:id': () => ({ path: '/api/recommendations/matrix-2' }),
    'GET /api/recommendations/:id/history': () => ({ path: '/api/recommendations/matrix-2/history' }),
    'GET /api/board/summary': () => ({ path: '/api/board/summary' }),
    'GET /api/history': () => ({ path: '/api/history?limit=1' }),
  };
}

/** The success status of each route when let through. */
function successStatus(method: string, route: string): number {
  if (method === 'GET') return 200;
  return route === '/api/inspections' || route === '/api/recommendations/:id/actions' ? 201 : 200;
}

// ---------------------------------------------------------------------------------------------
// The suites, once per read model
// ---------------------------------------------------------------------------------------------

const BACKENDS: readonly Backend[] = [
  { name: 'SQLite', dialect: 'sqlite' },
  { name: 'PostgreSQL', dialect: 'postgres' },
];

describe.each(BACKENDS)('inspections and recommendations over HTTP, read model on $name', (backend) => {
  const env = new Installation(backend);
  const suiteStarted = performance.now();

  beforeAll(() => env.start(), 60_000);
  afterAll(() => env.dispose());

  describe('POST /api/inspections', () => {
    it('registers the inspection and one recommendation per entry (201), readable at the answer position', async () => {
      const reply = await env.http.post('/api/inspections', lead, inspectionBody('ep'));

      const answer = expectCommandAnswer<InspectionAnswer>(reply, 201, 'ep');
      expect(answer).toEqual({
        id: 'ep',
        revision: 0,
        position: expect.stringMatching(DECIMAL),
        recommendations: STOLEN_FREEDOM_RECOMMENDATIONS.map((terms) => ({
          id: `ep-${terms.number}`,
          number: terms.number,
          dueOn: DUE_ON[terms.timescale],
        })),
      });

      const second = await env.recommendation('ep-2', answer.position);
      expect(second).toEqual({
        id: 'ep-2',
        number: 2,
        text: STOLEN_FREEDOM_RECOMMENDATIONS[1]?.text,
        addressee: 'forces',
        area: 'leadership',
        status: 'registered',
        rag: 'red',
        owner: null,
        dueOn: '2018-10-24',
        originalDueOn: '2018-10-24',
        actions: [],
        revision: 0,
      });
      expect((await env.recommendation('ep-1', answer.position)).rag).toBe('grey');

      const list = await env.http.get<ListAnswer<RecommendationView>>(`/api/recommendations?limit=1000&position=${answer.position}`, lead);
      expect(list.status).toBe(200);
      expect(list.body.items.filter((item) => item.id.startsWith('ep-')).map((item) => item.id)).toEqual(
        STOLEN_FREEDOM_RECOMMENDATIONS.map((terms) => `ep-${terms.number}`),
      );

      const events = await env.history('stream=inspection-ep', answer.position);
      expect(events).toEqual([
        expect.objectContaining({
          position: expect.stringMatching(DECIMAL),
          stream: 'inspection-ep',
          revision: 0,
          type: 'InspectionRegistered',
          actor: { id: PEOPLE.lead.sub, name: PEOPLE.lead.name, role: 'strategic-lead' },
        }),
      ]);
    });

    it.each([
      ['a missing title', (body: Record<string, unknown>) => ({ ...body, title: undefined }), 'title'],
      ['an unknown field', (body: Record<string, unknown>) => ({ ...body, colour: 'red' }), 'colour'],
      [
        'an unknown field in a recommendation',
        (body: Record<string, unknown>) => ({ ...body, recommendations: [{ ...FORCES_RECOMMENDATION, colour: 'red' }] }),
        'recommendations.0.colour',
      ],
      ['a date in another format', (body: Record<string, unknown>) => ({ ...body, publishedOn: '24/10/2017' }), 'publishedOn'],
      ['a date that does not exist', (body: Record<string, unknown>) => ({ ...body, publishedOn: '2017-02-30' }), 'publishedOn'],
      [
        'an addressee outside the enum',
        (body: Record<string, unknown>) => ({ ...body, recommendations: [{ ...FORCES_RECOMMENDATION, addressee: 'police' }] }),
        'recommendations.0.addressee',
      ],
      [
        'a timescale outside the enum',
        (body: Record<string, unknown>) => ({ ...body, recommendations: [{ ...FORCES_RECOMMENDATION, timescale: 'someday' }] }),
        'recommendations.0.timescale',
      ],
      [
        'a number given as a string',
        (body: Record<string, unknown>) => ({ ...body, recommendations: [{ ...FORCES_RECOMMENDATION, number: '1' }] }),
        'recommendations.0.number',
      ],
      ['an id that is not kebab-case', (body: Record<string, unknown>) => ({ ...body, id: 'Bad Inspection' }), 'id'],
      ['no recommendations', (body: Record<string, unknown>) => ({ ...body, recommendations: [] }), 'recommendations'],
    ])('refuses %s with a 400 naming the field', async (_case, change, field) => {
      const reply = await env.http.post('/api/inspections', lead, change(inspectionBody('ep-refused', [FORCES_RECOMMENDATION])));

      expectProblem(reply, 400, undefined, [field]);
    });

    it('refuses malformed JSON with a 400, and registered nothing for the refused bodies', async () => {
      const reply = await env.http.send('POST', '/api/inspections', {
        token: lead,
        body: '{"id": "ep-refused",',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(reply, 400, '/problems/malformed-json');

      // None of the refused bodies above registered it: the id is still free.
      await env.registerInspection('ep-refused', [FORCES_RECOMMENDATION]);
    });

    it('answers 409 when another inspection is already registered under the id, appending nothing', async () => {
      const mark = await env.mark();
      const reply = await env.http.post('/api/inspections', lead, { ...inspectionBody('ep'), inspectorate: 'Another inspectorate' });

      expectProblem(reply, 409);
      expect(await env.eventsSince(mark)).toEqual([]);
    });

    // A retry, whether or not it carries an Idempotency-Key.
    it('answers the same registration sent again as the first time, appending nothing', async () => {
      const first = await env.http.post('/api/inspections', lead, inspectionBody('ep-again', [FORCES_RECOMMENDATION]));
      const mark = await env.mark();

      const again = await env.http.post('/api/inspections', lead, inspectionBody('ep-again', [FORCES_RECOMMENDATION]));

      expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
      expect(await env.eventsSince(mark)).toEqual([]);
    });

    // A conflict no retry can resolve: the answer names the rule, not a concurrent write.
    it('names the rule another registration under the same id breaks (inspection-already-registered), not a concurrent write to retry', async () => {
      await env.registerInspection('ep-twice', [FORCES_RECOMMENDATION]);

      const reply = await env.http.post('/api/inspections', lead, {
        ...inspectionBody('ep-twice', [FORCES_RECOMMENDATION]),
        title: 'Another inspection under the same id',
      });

      const problem = expectProblem(reply, 409);
      expect({ type: problem.type, detail: problem.detail }).toEqual({
        type: '/problems/inspection-already-registered',
        detail: expect.not.stringMatching(/try again/),
      });
    });

    it('answers 401 without a token or with a bad one, 403 to roles other than strategic-lead', async () => {
      const body = inspectionBody('ep-unauthorised', [FORCES_RECOMMENDATION]);
      const mark = await env.mark();

      expectUnauthorized(await env.http.post('/api/inspections', undefined, body), false);
      for (const [, token] of BAD_TOKENS) expectUnauthorized(await env.http.post('/api/inspections', token, body), true);
      for (const who of ['board', 'intelligence', 'registrar', 'lpa', 'admin'] as const) {
        expectProblem(await env.http.post('/api/inspections', TOKENS[who], body), 403);
      }
      expect(await env.eventsSince(mark)).toEqual([]);
    });

    it('answers 422 to an Idempotency-Key reused with another body, registering nothing for it', async () => {
      const key = randomUUID();
      const first = await env.http.post('/api/inspections', lead, inspectionBody('ep-keyed', [FORCES_RECOMMENDATION]), {
        'idempotency-key': key,
      });
      expectCommandAnswer(first, 201, 'ep-keyed');
      const mark = await env.mark();

      const reused = await env.http.post('/api/inspections', lead, inspectionBody('ep-keyed-other', [FORCES_RECOMMENDATION]), {
        'idempotency-key': key,
      });

      expectProblem(reused, 422, '/problems/idempotency-key-reused');
      expect(await env.eventsSince(mark)).toEqual([]);
    });
  });

  describe('conventions of every command route', () => {
    // Each route, with a body it would accept: the refusals below come from the HTTP layer.
    const ROUTES: ReadonlyArray<readonly [string, object]> = [
      ['/api/inspections', inspectionBody('conventions', [FORCES_RECOMMENDATION])],
      ['/api/recommendations/ep-9/assignment', { ownerId: 'u-x', ownerName: 'X' }],
      ['/api/recommendations/ep-9/actions', { description: 'd', ownerId: 'u-x', dueOn: '2018-01-31' }],
      ['/api/recommendations/ep-9/actions/a-1/progress', { status: 'complete' }],
      ['/api/recommendations/ep-9/due-date', { dueOn: '2030-01-01', reason: 'r' }],
      ['/api/recommendations/ep-9/closure-proposal', { evidence: 'e' }],
      ['/api/recommendations/ep-9/closure-decision', { decision: 'approve', reason: 'r' }],
      ['/api/recommendations/ep-9/reopening', { reason: 'r' }],
    ];
    const tokenOf = (path: string): string => (/closure-decision|reopening/.test(path) ? board : lead);

    it.each(ROUTES)('%s: 413 over 256 KiB, 415 for anything but JSON, 400 for an unknown field; nothing appended', async (path, body) => {
      const mark = await env.mark();
      const token = tokenOf(path);

      const tooLarge = await env.http.post(path, token, { ...body, padding: 'x'.repeat(256 * 1024) });
      expectProblem(tooLarge, 413);

      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const reply = await env.http.send('POST', path, { token, body: 'ownerId=u-x', headers: { 'content-type': contentType } });
        expectProblem(reply, 415);
      }

      expectProblem(await env.http.post(path, token, { ...body, unexpected: true }), 400, '/problems/validation', ['unexpected']);
      expect(await env.eventsSince(mark)).toEqual([]);
    });
  });

  describe('POST /api/recommendations/:id/assignment', () => {
    it('assigns (200, ETag), reassigns, and answers a repeat without appending; readable at each answer position', async () => {
      const first = await env.command('/api/recommendations/ep-2/assignment', { ownerId: 'u-det-insp', ownerName: 'DI (tactical lead)' }, { id: 'ep-2' });
      expect(first.revision).toBe(1);
      expect(await env.recommendation('ep-2', first.position)).toMatchObject({
        status: 'assigned',
        owner: { id: 'u-det-insp', name: 'DI (tactical lead)' },
        revision: 1,
      });

      const second = await env.command(
        '/api/recommendations/ep-2/assignment',
        { ownerId: 'u-det-supt', ownerName: 'Det Supt', note: 'the lead takes it over' },
        { id: 'ep-2', headers: { 'if-match': '"1"' } },
      );
      expect(second.revision).toBe(2);
      expect(BigInt(second.position)).toBeGreaterThan(BigInt(first.position));
      expect(await env.recommendation('ep-2', second.position)).toMatchObject({
        status: 'assigned',
        owner: { id: 'u-det-supt', name: 'Det Supt' },
        revision: 2,
      });

      // The same owner again changes nothing: answered with the stream as it stands.
      const repeat = await env.command('/api/recommendations/ep-2/assignment', { ownerId: 'u-det-supt', ownerName: 'Det Supt' }, { id: 'ep-2' });
      expect(repeat).toEqual(second);
      expect((await env.streamEvents('ep-2', repeat.position)).map((event) => event.type)).toEqual([
        'RecommendationRegistered',
        'RecommendationAssigned',
        'RecommendationAssigned',
      ]);
    });

    it('refuses bad bodies and ids with 400, an unknown recommendation with 404, one not addressed to forces with 409', async () => {
      const mark = await env.mark();
      const path = '/api/recommendations/ep-2/assignment';

      expectProblem(await env.http.post(path, lead, { ownerId: 'u-x' }), 400, '/problems/validation', ['ownerName']);
      expectProblem(await env.http.post(path, lead, { ownerId: 42, ownerName: 'X' }), 400, '/problems/validation', ['ownerId']);
      expectProblem(await env.http.post(path, lead, { ownerId: '', ownerName: 'X' }), 400, undefined, ['ownerId']);
      expectProblem(await env.http.post(path, lead, { ownerId: 'u-x', ownerName: 'X', owner: 'u-x' }), 400, '/problems/validation', ['owner']);
      expectProblem(await env.http.post(path, lead, [{ ownerId: 'u-x', ownerName: 'X' }]), 400);
      expectProblem(await env.http.post('/api/recommendations/EP_2/assignment', lead, { ownerId: 'u-x', ownerName: 'X' }), 400, undefined, ['id']);
      expectProblem(
        await env.http.post('/api/recommendations/ep-99/assignment', lead, { ownerId: 'u-x', ownerName: 'X' }),
        404,
        '/problems/recommendation-not-registered',
      );
      expectProblem(
        await env.http.post('/api/recommendations/ep-1/assignment', lead, { ownerId: 'u-x', ownerName: 'X' }),
        409,
        '/problems/recommendation-not-addressed-to-forces',
      );

      expect(await env.eventsSince(mark)).toEqual([]);
    });

    it('answers 412 to a stale If-Match and 400 to a malformed one, then applies a fresh one', async () => {
      const registered = await env.recommendation('ep-6', await env.mark());
      expect(registered.revision).toBe(0);
      const assigned = await env.assign('ep-6', 'u-first');
      const mark = await env.mark();

      const stale = await env.http.post('/api/recommendations/ep-6/assignment', lead, { ownerId: 'u-second', ownerName: 'Second' }, { 'if-match': '"0"' });
      expectProblem(stale, 412, '/problems/stale-revision');
      for (const malformed of ['W/"1"', '1', '"1", "2"', '*', '"-1"']) {
        const reply = await env.http.post('/api/recommendations/ep-6/assignment', lead, { ownerId: 'u-second', ownerName: 'Second' }, { 'if-match': malformed });
        expectProblem(reply, 400, '/problems/invalid-if-match');
      }
      expect(await env.eventsSince(mark)).toEqual([]);

      const current = await env.http.get(`/api/recommendations/ep-6?position=${assigned.position}`, lead);
      expect(current.headers.etag).toBe('"1"');
      const fresh = await env.command(
        '/api/recommendations/ep-6/assignment',
        { ownerId: 'u-second', ownerName: 'Second' },
        { id: 'ep-6', headers: { 'if-match': String(current.headers.etag) } },
      );
      expect(fresh.revision).toBe(2);
    });

    it('answers 401 and 403 as the table says, appending nothing', async () => {
      const mark = await env.mark();
      const body = { ownerId: 'u-x', ownerName: 'X' };
      expectUnauthorized(await env.http.post('/api/recommendations/ep-2/assignment', undefined, body), false);
      for (const [, token] of BAD_TOKENS) expectUnauthorized(await env.http.post('/api/recommendations/ep-2/assignment', token, body), true);
      expectUnauthorized(
        await env.http.send('POST', '/api/recommendations/ep-2/assignment', { json: body, headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } }),
        false,
      );
      for (const who of ['board', 'intelligence', 'registrar', 'lpa', 'admin'] as const) {
        expectProblem(await env.http.post('/api/recommendations/ep-2/assignment', TOKENS[who], body), 403);
      }
      expect(await env.eventsSince(mark)).toEqual([]);
    });
  });

  describe('POST /api/recommendations/:id/actions and .../progress', () => {
    it('refuses to plan on a recommendation nobody owns yet (409)', async () => {
      const mark = await env.mark();
      const reply = await env.http.post('/api/recommendations/ep-4/actions', lead, { description: 'd', ownerId: 'u-x', dueOn: '2018-01-31' });
      expectProblem(reply, 409, '/problems/recommendation-not-assigned');
      expect(await env.eventsSince(mark)).toEqual([]);
    });

    it('plans an action (201, actionId, ETag) that puts the recommendation in progress, and records its progress (200)', async () => {
      await env.assign('ep-4', 'u-det-insp');
      const planned = await env.command<ActionAnswer>(
        '/api/recommendations/ep-4/actions',
        { description: 'Information-sharing agreement with the local authority', ownerId: 'u-di', dueOn: '2018-03-31', lpa: 'herefordshire' },
        { id: 'ep-4', status: 201 },
      );
      expect(planned).toEqual({ id: 'ep-4', revision: 2, position: expect.stringMatching(DECIMAL), actionId: expect.any(String) });
      expect(await env.recommendation('ep-4', planned.position)).toMatchObject({
        status: 'in-progress',
        revision: 2,
        actions: [
          {
            id: planned.actionId,
            description: 'Information-sharing agreement with the local authority',
            ownerId: 'u-di',
            dueOn: '2018-03-31',
            lpa: 'herefordshire',
            status: 'planned',
          },
        ],
      });

      const path = `/api/recommendations/ep-4/actions/${planned.actionId}/progress`;
      const started = await env.command(path, { status: 'in-progress', note: 'drafted' }, { id: 'ep-4' });
      expect((await env.recommendation('ep-4', started.position)).actions[0]?.status).toBe('in-progress');
      const blocked = await env.command(path, { status: 'blocked' }, { id: 'ep-4', headers: { 'if-match': `"${started.revision}"` } });
      const done = await env.command(path, { status: 'complete' }, { id: 'ep-4', headers: { 'if-match': `"${blocked.revision}"` } });
      expect(done.revision).toBe(5);
      const state = await env.recommendation('ep-4', done.position);
      expect(state.actions).toEqual([expect.objectContaining({ id: planned.actionId, status: 'complete' })]);
      expect(state.status).toBe('in-progress');
    });

    it('refuses bad action bodies (400, an LPA not in the register too), an unknown action or recommendation (404), a stale If-Match (412)', async () => {
      const { actions } = await env.recommendation('ep-4', await env.mark());
      const actionId = actions[0]?.id ?? 'none';
      const mark = await env.mark();
      const plan = '/api/recommendations/ep-4/actions';
      const good = { description: 'd', ownerId: 'u-x', dueOn: '2018-01-31' };

      expectProblem(await env.http.post(plan, lead, { ...good, dueOn: '31/01/2018' }), 400, undefined, ['dueOn']);
      expectProblem(await env.http.post(plan, lead, { ...good, dueOn: '2018-13-01' }), 400, undefined, ['dueOn']);
      expectProblem(await env.http.post(plan, lead, { ...good, description: undefined }), 400, undefined, ['description']);
      expectProblem(await env.http.post(plan, lead, { ...good, lpa: 'Not An LPA' }), 400, undefined, ['lpa']);
      // API.md: an unknown LPA code is a 400, not an action no LPA will ever see.
      expectProblem(await env.http.post(plan, lead, { ...good, lpa: 'gloucestershire' }), 400, undefined, ['lpa']);
      expectProblem(await env.http.post(plan, lead, { ...good, actionId: 'chosen-by-client' }), 400, undefined, ['actionId']);
      expectProblem(await env.http.post('/api/recommendations/ep-98/actions', lead, good), 404, '/problems/recommendation-not-registered');
      expectProblem(await env.http.post(plan, lead, good, { 'if-match': '"0"' }), 412, '/problems/stale-revision');

      const progress = `/api/recommendations/ep-4/actions/${actionId}/progress`;
      expectProblem(await env.http.post(progress, lead, { status: 'done' }), 400, undefined, ['status']);
      expectProblem(await env.http.post(progress, lead, { status: 'planned' }), 400, undefined, ['status']);
      expectProblem(await env.http.post(progress, lead, {}), 400, undefined, ['status']);
      expectProblem(await env.http.post('/api/recommendations/ep-4/actions/no-such-action/progress', lead, { status: 'complete' }), 404, '/problems/action-not-found');
      expectProblem(await env.http.post(`/api/recommendations/ep-98/actions/${actionId}/progress`, lead, { status: 'complete' }), 404);
      expectProblem(await env.http.post(progress, board, { status: 'blocked' }), 403);
      expectUnauthorized(await env.http.post(progress, undefined, { status: 'blocked' }), false);

      expect(await env.eventsSince(mark)).toEqual([]);
    });
  });

  describe('POST /api/recommendations/:id/due-date', () => {
    it('extends the due date (200), keeping the original one', async () => {
      const extended = await env.command('/api/recommendations/ep-7/due-date', { dueOn: '2018-03-31', reason: 'NCRS audit first' }, { id: 'ep-7' });
      expect(await env.recommendation('ep-7', extended.position)).toMatchObject({
        dueOn: '2018-03-31',
        originalDueOn: '2017-10-24',
        revision: 1,
      });
      const [, event] = await env.streamEvents('ep-7', extended.position);
      expect(event).toMatchObject({
        type: 'DueDateExtended',
        revision: 1,
        position: extended.position,
        data: { dueOn: '2018-03-31', previousDueOn: '2017-10-24', reason: 'NCRS audit first' },
      });
    });

    it('refuses a bad or earlier date (400), a missing reason (400), roles other than the lead (403)', async () => {
      const mark = await env.mark();
      const path = '/api/recommendations/ep-7/due-date';
      expectProblem(await env.http.post(path, lead, { dueOn: '2019-02-29', reason: 'r' }), 400, undefined, ['dueOn']);
      expectProblem(await env.http.post(path, lead, { dueOn: '2019-2-1', reason: 'r' }), 400, undefined, ['dueOn']);
      expectProblem(await env.http.post(path, lead, { dueOn: '2018-01-31', reason: 'earlier' }), 400, '/problems/due-date-not-later');
      expectProblem(await env.http.post(path, lead, { dueOn: '2018-06-30' }), 400, undefined, ['reason']);
      expectProblem(await env.http.post(path, TOKENS.board, { dueOn: '2018-06-30', reason: 'r' }), 403);
      expectProblem(await env.http.post('/api/recommendations/ep-97/due-date', lead, { dueOn: '2018-06-30', reason: 'r' }), 404);
      expect(await env.eventsSince(mark)).toEqual([]);
    });
  });

  describe('closure: proposal, decision, reopening', () => {
    it('refuses a proposal before the work is in progress (409)', async () => {
      const mark = await env.mark();
      expectProblem(
        await env.http.post('/api/recommendations/ep-8/closure-proposal', lead, { evidence: 'e' }),
        409,
        '/problems/recommendation-not-in-progress',
      );
      expect(await env.eventsSince(mark)).toEqual([]);
    });

    it('refuses the decision to the user who proposed it, although that user holds the board role (409)', async () => {
      await env.assign('ep-5', 'u-det-insp');
      await env.planAction('ep-5', 'Section 45 briefing for custody staff');
      const proposed = await env.propose('ep-5', TOKENS.dual);
      expect((await env.recommendation('ep-5', proposed.position)).status).toBe('closure-proposed');
      const mark = await env.mark();

      const own = await env.http.post('/api/recommendations/ep-5/closure-decision', TOKENS.dual, { decision: 'approve', reason: 'done' });

      expectProblem(own, 409, '/problems/closure-decided-by-proposer');
      expectProblem(await env.http.post('/api/recommendations/ep-5/closure-decision', TOKENS.dual, { decision: 'reject', reason: 'no' }), 409);
      expectProblem(await env.http.post('/api/recommendations/ep-5/closure-decision', board, { decision: 'maybe', reason: 'r' }), 400, undefined, ['decision']);
      expectProblem(await env.http.post('/api/recommendations/ep-5/closure-decision', board, { decision: 'approve' }), 400, undefined, ['reason']);
      expectProblem(await env.http.post('/api/recommendations/ep-5/closure-decision', lead, { decision: 'approve', reason: 'r' }), 403);
      expectProblem(await env.http.post('/api/recommendations/ep-5/closure-decision', board, { decision: 'approve', reason: 'r' }, { 'if-match': '"1"' }), 412);
      expectProblem(await env.http.post('/api/recommendations/ep-5/closure-proposal', lead, { evidence: 'again' }), 409, '/problems/closure-already-proposed');
      expect(await env.eventsSince(mark)).toEqual([]);
    });

    it('closes on approval by another board member, refuses work on it (409), and reopens it (200)', async () => {
      const approved = await env.decide('ep-5', 'approve');
      expect(await env.recommendation('ep-5', approved.position)).toMatchObject({ status: 'closed', rag: 'green', revision: 4 });
      const mark = await env.mark();

      expectProblem(
        await env.http.post('/api/recommendations/ep-5/actions', lead, { description: 'd', ownerId: 'u-x', dueOn: '2018-01-31' }),
        409,
        '/problems/recommendation-already-closed',
      );
      expectProblem(await env.http.post('/api/recommendations/ep-4/reopening', board, { reason: 'r' }), 409, '/problems/recommendation-not-closed');
      expectProblem(await env.http.post('/api/recommendations/ep-5/reopening', board, {}), 400, undefined, ['reason']);
      expectProblem(await env.http.post('/api/recommendations/ep-5/reopening', lead, { reason: 'r' }), 403);
      expect(await env.eventsSince(mark)).toEqual([]);

      const reopened = await env.command('/api/recommendations/ep-5/reopening', { reason: 'a new case shows the gap again' }, { id: 'ep-5', token: board, headers: { 'if-match': '"4"' } });
      expect(await env.recommendation('ep-5', reopened.position)).toMatchObject({ status: 'in-progress', rag: 'red', revision: 5 });
    });

    it('returns a rejected proposal to in progress', async () => {
      await env.propose('ep-5');
      const rejected = await env.decide('ep-5', 'reject', TOKENS.dual);
      expect(await env.recommendation('ep-5', rejected.position)).toMatchObject({ status: 'in-progress', revision: 7 });
      expect((await env.streamEvents('ep-5', rejected.position)).map((event) => [event.type, event.actor.id, event.actor.role])).toEqual([
        ['RecommendationRegistered', PEOPLE.lead.sub, 'strategic-lead'],
        ['RecommendationAssigned', PEOPLE.lead.sub, 'strategic-lead'],
        ['ActionPlanned', PEOPLE.lead.sub, 'strategic-lead'],
        ['ClosureProposed', PEOPLE.dual.sub, 'strategic-lead'],
        ['ClosureApproved', PEOPLE.board.sub, 'board'],
        ['RecommendationReopened', PEOPLE.board.sub, 'board'],
        ['ClosureProposed', PEOPLE.lead.sub, 'strategic-lead'],
        ['ClosureRejected', PEOPLE.dual.sub, 'board'],
      ]);
    });
  });

  describe('queries', () => {
    it('GET /api/recommendations: items and next, filtered by status, owner and overdue, paged', async () => {
      const position = await env.mark();
      const all = await env.http.get<ListAnswer<RecommendationView>>(`/api/recommendations?limit=1000&position=${position}`, TOKENS.registrar);
      expect(all.status).toBe(200);
      expect(all.body.next).toBeNull();
      const ours = all.body.items.filter((item) => /^ep-\d+$/.test(item.id));
      expect(ours).toHaveLength(11);
      for (const item of ours) {
        expect(Object.keys(item).sort()).toEqual(
          ['actions', 'addressee', 'area', 'dueOn', 'id', 'number', 'originalDueOn', 'owner', 'rag', 'revision', 'status', 'text'].sort(),
        );
      }

      const owned = await env.http.get<ListAnswer<RecommendationView>>(`/api/recommendations?owner=u-det-insp&position=${position}`, lead);
      expect(owned.body.items.map((item) => item.id).sort()).toEqual(['ep-4', 'ep-5']);
      const inProgress = await env.http.get<ListAnswer<RecommendationView>>(`/api/recommendations?status=in-progress&owner=u-det-insp`, lead);
      expect(inProgress.body.items.map((item) => item.id).sort()).toEqual(['ep-4', 'ep-5']);
      const overdue = await env.http.get<ListAnswer<RecommendationView>>('/api/recommendations?overdue=true&limit=1000', lead);
      const overdueIds = overdue.body.items.map((item) => item.id);
      expect(overdueIds).toContain('ep-2');
      expect(overdueIds).not.toContain('ep-1');
      expect(overdue.body.items.every((item) => item.rag === 'red')).toBe(true);
      const notOverdue = await env.http.get<ListAnswer<RecommendationView>>('/api/recommendations?overdue=false&limit=1000', lead);
      expect(notOverdue.body.items.map((item) => item.id)).toContain('ep-1');

      // Paging: two at a time, in the order registered, no item twice, none left out.
      const paged: string[] = [];
      let after: string | null = '';
      while (after !== null) {
        const page: Reply<ListAnswer<RecommendationView>> = await env.http.get<ListAnswer<RecommendationView>>(
          `/api/recommendations?limit=2${after === '' ? '' : `&after=${after}`}`,
          lead,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.body.items.map((item) => item.id));
        after = page.body.next;
      }
      expect(paged).toEqual(all.body.items.map((item) => item.id));
    });

    it.each([
      ['status=bogus', 'status'],
      ['overdue=yes', 'overdue'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['after=abc', 'after'],
      ['position=abc', 'position'],
      ['position=-1', 'position'],
      ['asOf=yesterday', 'asOf'],
      ['asOf=2018-01-31T25:00:00Z', 'asOf'],
      ['colour=red', 'colour'],
    ])('GET /api/recommendations?%s is a 400 naming %s', async (query, field) => {
      expectProblem(await env.http.get(`/api/recommendations?${query}`, lead), 400, undefined, [field]);
    });

    it('answers 503 with Retry-After when the read model has not reached ?position= within 5 s', async () => {
      const head = BigInt(await env.mark());
      const started = performance.now();

      const reply = await env.http.get(`/api/recommendations/ep-2?position=${head + 1_000_000n}`, lead);

      expectProblem(reply, 503, '/problems/read-model-behind');
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(4_900);
    });

    it('GET /api/recommendations/:id: 200 with ETag, 404 for an unknown one, 400 for a bad id or query', async () => {
      const reply = await env.http.get<RecommendationView>('/api/recommendations/ep-9', TOKENS.admin);
      expect(reply.status).toBe(200);
      expect(reply.headers.etag).toBe(`"${reply.body.revision}"`);
      expectProblem(await env.http.get('/api/recommendations/ep-99', lead), 404);
      expectProblem(await env.http.get('/api/recommendations/Not_An_Id', lead), 400, undefined, ['id']);
      expectProblem(await env.http.get('/api/recommendations/ep-9?asOf=soon', lead), 400, undefined, ['asOf']);
      expectProblem(await env.http.get('/api/recommendations/ep-9?position=1.5', lead), 400, undefined, ['position']);
      expectProblem(await env.http.get('/api/recommendations/ep-9?limit=5', lead), 400, undefined, ['limit']);
    });

    it('GET /api/recommendations/:id/history: events oldest first with position, revision, type, occurredAt, actor, data', async () => {
      const position = await env.mark();
      const reply = await env.http.get<{ events: HistoryEvent[] }>(`/api/recommendations/ep-4/history?position=${position}`, TOKENS.intelligence);
      expect(reply.status).toBe(200);
      const { events } = reply.body;
      expect(events.map((event) => event.type)).toEqual([
        'RecommendationRegistered',
        'RecommendationAssigned',
        'ActionPlanned',
        'ActionProgressRecorded',
        'ActionProgressRecorded',
        'ActionProgressRecorded',
      ]);
      events.forEach((event, index) => {
        expect(event).toMatchObject({
          position: expect.stringMatching(DECIMAL),
          revision: index,
          stream: 'recommendation-ep-4',
          occurredAt: expect.stringMatching(INSTANT),
          recordedAt: expect.stringMatching(INSTANT),
          actor: { id: expect.any(String), name: expect.any(String), role: expect.any(String) },
          data: expect.objectContaining({}),
        });
      });
      const positions = events.map((event) => BigInt(event.position));
      expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
      expectProblem(await env.http.get('/api/recommendations/ep-99/history', lead), 404);
      expectProblem(await env.http.get('/api/recommendations/ep-4/history?position=x', lead), 400, undefined, ['position']);
    });

    it('GET /api/board/summary: counts by status and RAG, and overdue actions', async () => {
      const reply = await env.http.get<BoardSummary>(`/api/board/summary?position=${await env.mark()}`, board);
      expect(reply.status).toBe(200);
      const { asOf, recommendations } = reply.body;
      expect(asOf).toMatch(INSTANT);
      expect(Object.keys(recommendations.byStatus).sort()).toEqual(['assigned', 'closed', 'closure-proposed', 'in-progress', 'registered']);
      expect(Object.keys(recommendations.byRag).sort()).toEqual(['amber', 'green', 'grey', 'red']);
      const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
      expect(sum(recommendations.byStatus)).toBe(recommendations.total);
      expect(sum(recommendations.byRag)).toBe(recommendations.total);
      expect(recommendations.overdueActions).toBeGreaterThan(0);
      expectProblem(await env.http.get('/api/board/summary?asOf=tomorrow', board), 400, undefined, ['asOf']);
      expectProblem(await env.http.get('/api/board/summary', TOKENS.intelligence), 403);
    });

    it('GET /api/history: the global log, filtered by stream and type, paged by after and limit', async () => {
      const position = await env.mark();
      const everything = await env.history('', position);
      expect(everything.length).toBeGreaterThan(50);
      expect(everything.map((event) => BigInt(event.position))).toEqual(
        [...everything.map((event) => BigInt(event.position))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
      const page = await env.http.get<ListAnswer<HistoryEvent>>('/api/history?limit=3', board);
      expect(page.body.items).toEqual(everything.slice(0, 3));
      expect(page.body.next).toBe(everything[2]?.position);
      const next = await env.http.get<ListAnswer<HistoryEvent>>(`/api/history?limit=3&after=${page.body.next}`, lead);
      expect(next.body.items).toEqual(everything.slice(3, 6));

      const closures = await env.history('type=ClosureApproved', position);
      expect(closures.length).toBeGreaterThan(0);
      expect(closures.every((event) => event.type === 'ClosureApproved')).toBe(true);
      const stream = await env.history('stream=recommendation-ep-5', position);
      expect(stream).toEqual(everything.filter((event) => event.stream === 'recommendation-ep-5'));

      expectProblem(await env.http.get('/api/history?from=yesterday', board), 400, undefined, ['from']);
      expectProblem(await env.http.get('/api/history?limit=0', board), 400, undefined, ['limit']);
      expectProblem(await env.http.get('/api/history', TOKENS.intelligence), 403);
      expectUnauthorized(await env.http.get('/api/history'), false);
    });
  });

  describe('time travel (?asOf=)', () => {
    it('answers a recommendation, the list and the board summary as the log stood at an instant between commands', async () => {
      const beforeRegistration = new Date().toISOString();
      await clockPast(beforeRegistration);
      await env.registerInspection('tt');
      const assigned = await env.assign('tt-2', 'u-time-traveller');
      const between = new Date().toISOString();
      await clockPast(between);
      await env.planAction('tt-2', 'an action after the instant');
      const extended = await env.command('/api/recommendations/tt-2/due-date', { dueOn: '2019-01-31', reason: 'later' }, { id: 'tt-2' });
      const now = extended.position;

      // One recommendation.
      const then = await env.http.get<RecommendationView>(`/api/recommendations/tt-2?asOf=${between}`, lead);
      expect(then.status).toBe(200);
      expect(then.headers.etag).toBe(`"${assigned.revision}"`);
      expect(then.body).toMatchObject({
        status: 'assigned',
        owner: { id: 'u-time-traveller' },
        actions: [],
        dueOn: '2018-10-24',
        revision: assigned.revision,
      });
      expect(await env.recommendation('tt-2', now)).toMatchObject({ status: 'in-progress', dueOn: '2019-01-31', revision: 3 });
      expectProblem(await env.http.get(`/api/recommendations/tt-2?asOf=${beforeRegistration}`, lead), 404);

      // The list.
      const listAt = (instant: string, filter: string) =>
        env.http.get<ListAnswer<RecommendationView>>(`/api/recommendations?asOf=${instant}&${filter}`, lead);
      expect((await listAt(between, 'owner=u-time-traveller')).body.items).toEqual([
        expect.objectContaining({ id: 'tt-2', status: 'assigned', revision: 1 }),
      ]);
      expect((await listAt(between, 'status=in-progress&owner=u-time-traveller')).body.items).toEqual([]);
      expect((await listAt(beforeRegistration, 'owner=u-time-traveller')).body.items).toEqual([]);
      const ttThen = (await listAt(between, 'limit=1000')).body.items.filter((item) => item.id.startsWith('tt-'));
      expect(ttThen).toHaveLength(11);
      expect((await listAt(beforeRegistration, 'limit=1000')).body.items.filter((item) => item.id.startsWith('tt-'))).toEqual([]);
      const present = await env.http.get<ListAnswer<RecommendationView>>(`/api/recommendations?owner=u-time-traveller&position=${now}`, lead);
      expect(present.body.items).toEqual([expect.objectContaining({ id: 'tt-2', status: 'in-progress', revision: 3 })]);

      // The board summary: the same recommendations, one of them not yet in progress.
      const summaryAt = async (query: string): Promise<BoardSummary> => {
        const reply = await env.http.get<BoardSummary>(`/api/board/summary?${query}`, board);
        expect(reply.status).toBe(200);
        return reply.body;
      };
      const before = await summaryAt(`asOf=${beforeRegistration}`);
      const atBetween = await summaryAt(`asOf=${between}`);
      const after = await summaryAt(`position=${now}`);
      expect(atBetween.asOf).toBe(between);
      expect(atBetween.recommendations.total).toBe(before.recommendations.total + 11);
      expect(after.recommendations.total).toBe(atBetween.recommendations.total);
      expect(after.recommendations.byStatus.assigned).toBe((atBetween.recommendations.byStatus.assigned ?? 0) - 1);
      expect(after.recommendations.byStatus['in-progress']).toBe((atBetween.recommendations.byStatus['in-progress'] ?? 0) + 1);
      expect(after.recommendations.overdueActions).toBe(atBetween.recommendations.overdueActions + 1);
    });
  });

  describe('role matrix', () => {
    it('answers every route × role as the declared table says (401 vs 403 exactly), and a refused call appends nothing', async () => {
      const requests = await prepareMatrix(env);
      const mismatches: string[] = [];
      let cells = 0;
      let cell = 0;

      for (const [method, route, ...access] of ACCESS) {
        const key = `${method} ${route}`;
        const requestFor = requests[key];
        if (requestFor === undefined) throw new Error(`no request for ${key}`);
        const refused = [
          ...(['anonymous', 'bad-token'] as const),
          ...WHO.filter((_who, index) => access[index] === N),
        ];
        const allowed = WHO.filter((_who, index) => access[index] === Y);

        const mark = await env.mark();
        for (const who of [...refused, ...allowed]) {
          cell += 1;
          cells += 1;
          const { path, json } = requestFor(cell);
          const token = MATRIX_TOKENS[who];
          const reply = await env.http.send(method, path, { token, json });
          const expected = who === 'anonymous' || who === 'bad-token' ? 401 : allowed.includes(who) ? successStatus(method, route) : 403;
          const problemOk =
            expected >= 400
              ? (reply.body as Problem | undefined)?.status === expected &&
                String(reply.headers['content-type']).startsWith('application/problem+json') &&
                (expected !== 401 || String(reply.headers['www-authenticate']).startsWith('Bearer realm="api"'))
              : true;
          if (reply.status !== expected || !problemOk) {
            mismatches.push(`${key} as ${who}: expected ${expected}, got ${reply.status} ${reply.text.slice(0, 200)}`);
          }
          // After the last refused call, before any allowed one: the log must not have moved.
          if (who === refused[refused.length - 1]) {
            const appended = await env.eventsSince(mark);
            if (appended.length > 0) {
              mismatches.push(`${key}: refused calls appended ${appended.length} event(s): ${appended.map((event) => event.type).join(', ')}`);
            }
          }
        }
      }

      console.log(
        `role matrix (${backend.name}): ${cells} cells checked (${ACCESS.length} routes × ${WHO.length + 2} principals), ${mismatches.length} mismatches`,
      );
      expect(mismatches).toEqual([]);
      expect(cells).toBe(ACCESS.length * (WHO.length + 2));
    });
  });

  describe('concurrency', () => {
    const ROUNDS = 200;
    const CLIENTS = 16;

    it(`${CLIENTS} clients with the same If-Match, ${ROUNDS} rounds: one 2xx per round, the rest 412, no 5xx, ${ROUNDS} new events`, async () => {
      const registered = await env.registerInspection('race', [FORCES_RECOMMENDATION]);
      let position = registered.position;
      const before = await env.streamEvents('race-1', position);
      const statuses = new Map<number, number>();
      const badRounds: string[] = [];
      const winners: string[] = [];
      const started = performance.now();

      for (let round = 0; round < ROUNDS; round += 1) {
        const current = await env.http.get(`/api/recommendations/race-1?position=${position}`, lead);
        const etag = String(current.headers.etag);
        expect(etag).toBe(`"${round}"`);
        // The 16 requests are all written before any answer is read: a barrier at the socket.
        const replies = await Promise.all(
          range(CLIENTS).map((client) =>
            env.http.post<CommandAnswer>(
              '/api/recommendations/race-1/assignment',
              lead,
              { ownerId: `u-r${round}-c${client}`, ownerName: `Owner ${round}/${client}` },
              { 'if-match': etag },
            ),
          ),
        );
        replies.forEach((reply) => statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1));
        const won = replies.map((reply, client) => ({ reply, client })).filter(({ reply }) => reply.status >= 200 && reply.status < 300);
        const lost = replies.filter((reply) => reply.status === 412 && (reply.body as unknown as Problem).type === '/problems/stale-revision');
        if (won.length !== 1 || lost.length !== CLIENTS - 1) {
          badRounds.push(`round ${round}: ${replies.map((reply) => reply.status).join(',')}`);
        }
        const winner = won[0];
        if (winner === undefined) break;
        expect(winner.reply.body.revision).toBe(round + 1);
        expect(winner.reply.headers.etag).toBe(`"${round + 1}"`);
        winners.push(`u-r${round}-c${winner.client}`);
        position = winner.reply.body.position;
      }
      const seconds = (performance.now() - started) / 1000;

      const after = await env.streamEvents('race-1', position);
      const appended = after.slice(before.length);
      const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
      console.log(
        `concurrency (${backend.name}): ${ROUNDS} rounds × ${CLIENTS} clients in ${seconds.toFixed(1)} s: ` +
          `${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count} × ${status}`).join(', ')}; ` +
          `${serverErrors} × 5xx; ${badRounds.length} rounds without exactly one winner; ${appended.length} new events`,
      );
      expect(badRounds).toEqual([]);
      expect(Object.fromEntries(statuses)).toEqual({ 200: ROUNDS, 412: ROUNDS * (CLIENTS - 1) });
      expect(appended).toHaveLength(ROUNDS);
      expect(appended.map((event) => event.revision)).toEqual(range(ROUNDS).map((round) => round + 1));
      expect(appended.map((event) => event.data.ownerId)).toEqual(winners);
    }, 90_000);
  });

  describe('idempotency', () => {
    const path = '/api/recommendations/idem-1/actions';
    const planned = async (description: string, position: string): Promise<HistoryEvent[]> =>
      (await env.streamEvents('idem-1', position)).filter((event) => event.type === 'ActionPlanned' && event.data.description === description);

    beforeAll(async () => {
      await env.registerInspection('idem', [FORCES_RECOMMENDATION]);
      await env.assign('idem-1', 'u-owner');
    });

    it('plans a second action for the same body without a key: the route itself is not idempotent', async () => {
      const body = { description: 'without a key', ownerId: 'u-di', dueOn: '2018-06-30' };
      const first = await env.command<ActionAnswer>(path, body, { id: 'idem-1', status: 201 });
      const second = await env.command<ActionAnswer>(path, body, { id: 'idem-1', status: 201 });
      expect(second.actionId).not.toBe(first.actionId);
      expect(await planned(body.description, second.position)).toHaveLength(2);
    });

    it('the same key 50 times in a row: one event, 50 identical answers', async () => {
      const key = randomUUID();
      const body = { description: 'sequential', ownerId: 'u-di', dueOn: '2018-06-30' };
      const replies: Reply<ActionAnswer>[] = [];
      for (let attempt = 0; attempt < 50; attempt += 1) {
        replies.push(await env.http.post<ActionAnswer>(path, lead, body, { 'idempotency-key': key }));
      }

      const [first, ...repeats] = replies;
      const answer = expectCommandAnswer<ActionAnswer>(first as Reply, 201, 'idem-1');
      expect(answer.actionId).toEqual(expect.any(String));
      for (const repeat of repeats) {
        expect({ status: repeat.status, body: repeat.body, etag: repeat.headers.etag }).toEqual({
          status: 201,
          body: answer,
          etag: `"${answer.revision}"`,
        });
        expect(repeat.headers['idempotent-replayed']).toBe('true');
      }
      const events = await planned(body.description, await env.mark());
      expect(events).toEqual([expect.objectContaining({ position: answer.position, revision: answer.revision })]);
      console.log(`idempotency (${backend.name}): 50 sequential repeats → ${events.length} event, ${new Set(replies.map((reply) => reply.text)).size} distinct answer(s)`);
    });

    it('the same key 50 times at once: one event; every answer the first one, or 409 while it is in flight', async () => {
      const key = randomUUID();
      const body = { description: 'concurrent', ownerId: 'u-di', dueOn: '2018-06-30' };

      const replies = await Promise.all(range(50).map(() => env.http.post<ActionAnswer>(path, lead, body, { 'idempotency-key': key })));

      const answered = replies.filter((reply) => reply.status === 201);
      const inFlight = replies.filter((reply) => reply.status === 409 && (reply.body as unknown as Problem).type === '/problems/idempotency-key-in-flight');
      expect(answered.length + inFlight.length).toBe(50);
      expect(answered.length).toBeGreaterThanOrEqual(1);
      const answer = expectCommandAnswer<ActionAnswer>(answered[0] as Reply, 201, 'idem-1');
      for (const reply of answered) expect(reply.body).toEqual(answer);
      const later = await env.http.post<ActionAnswer>(path, lead, body, { 'idempotency-key': key });
      expect({ status: later.status, body: later.body, replayed: later.headers['idempotent-replayed'] }).toEqual({ status: 201, body: answer, replayed: 'true' });

      const events = await planned(body.description, await env.mark());
      expect(events).toEqual([expect.objectContaining({ position: answer.position, revision: answer.revision })]);
      console.log(
        `idempotency (${backend.name}): 50 concurrent → ${events.length} event, ${answered.length} × 201 (identical), ${inFlight.length} × 409 in flight`,
      );
    });

    it('a reply lost after the commit: the retry with the same key answers the first answer, and appends nothing', async () => {
      const key = randomUUID();
      const body = { description: `lost reply ${key}`, ownerId: 'u-di', dueOn: '2018-06-30' };

      await postAndHangUp(env.port, path, lead, body, { 'Idempotency-Key': key });
      // The command committed although nobody read its answer: its event shows in the history.
      const committed = await eventually('the event of the request whose reply was lost', env.app, async () => {
        const reply = await env.http.get<{ events: HistoryEvent[] }>('/api/recommendations/idem-1/history', board);
        return reply.body.events.find((event) => event.data.description === body.description);
      });

      // Retried as a client would: a 409 only while the first is still settling its key.
      const retry = await eventually('the retry to be answered', env.app, async () => {
        const reply = await env.http.post<ActionAnswer>(path, lead, body, { 'idempotency-key': key });
        return reply.status === 409 ? undefined : reply;
      });
      const answer = expectCommandAnswer<ActionAnswer>(retry, 201, 'idem-1');
      expect(answer).toEqual({
        id: 'idem-1',
        revision: committed.revision,
        position: committed.position,
        actionId: committed.data.actionId,
      });
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const again = await env.http.post<ActionAnswer>(path, lead, body, { 'idempotency-key': key });
      expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: answer });

      expect(await planned(body.description, await env.mark())).toHaveLength(1);
    });
  });

  describe('the read model, once the app has stopped', () => {
    it('equals a rebuild from the log, table by table', async () => {
      // Everything the log holds is in the read model before the app stops.
      const head = await env.mark();
      expect((await env.http.get(`/api/history?limit=1&position=${head}`, board)).status).toBe(200);
      expect(await env.app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(env.app.stderr()).toBe('');

      const store = createEventStore({ kind: 'sqlite', file: join(env.dataDir, 'events.sqlite') });
      const live = openDatabase<ReadModelSchema>(env.readModel);
      const rebuilt = openDatabase<ReadModelSchema>(backend.dialect === 'postgres' ? await databases.postgres() : databases.sqlite());
      try {
        await migrateReadModel(rebuilt);
        const progress = await rebuildReadModel(store, rebuilt);
        expect(progress.position).toBe(BigInt(head));

        expect(Object.keys(TABLE_KEYS).sort()).toEqual([...READ_MODEL_TABLES, 'projection_checkpoints'].sort());
        const compared: string[] = [];
        for (const [table, keys] of Object.entries(TABLE_KEYS)) {
          const ordered = sql`select * from ${sql.table(table)} order by ${sql.join(keys.map((key) => sql.ref(key)))}`;
          const { rows: expected } = await ordered.execute(rebuilt.db);
          const { rows: actual } = await ordered.execute(live.db);
          expect({ table, rows: actual }).toEqual({ table, rows: expected });
          compared.push(`${table} ${actual.length}`);
        }
        console.log(
          `read model vs rebuild (${backend.name}): ${compared.length} tables equal, rows compared: ${compared.join(', ')}; ` +
            `${progress.events} events replayed; suite took ${((performance.now() - suiteStarted) / 1000).toFixed(1)} s`,
        );
      } finally {
        await rebuilt.close();
        await live.close();
        await store.close();
      }
    });
  });
});

/**
 * Text holding U+0000 (NUL): JSON allows it, PostgreSQL's text type cannot. The API refuses it in
 * whatever a client sends (400, naming the field). An installation of its own, so that a
 * regression cannot take the other tests' read model down with it.
 */
describe.each(BACKENDS)('text holding U+0000 (NUL), read model on $name', (backend) => {
  const env = new Installation(backend);

  beforeAll(() => env.start(), 60_000);
  afterAll(() => env.dispose());

  it('refuses a query parameter holding U+0000 with a 400 naming it', async () => {
    const answers: string[] = [];
    for (const path of ['/api/recommendations?owner=%00', '/api/history?type=%00', '/api/history?stream=%00']) {
      const reply = await env.http.get(path, board);
      answers.push(`${path} → ${reply.status}`);
    }

    expect(answers).toEqual([
      '/api/recommendations?owner=%00 → 400',
      '/api/history?type=%00 → 400',
      '/api/history?stream=%00 → 400',
    ]);
  });

  it('refuses a command whose text holds U+0000, appends nothing, and the read model keeps following the log', async () => {
    await env.registerInspection('nul', [FORCES_RECOMMENDATION]);
    const ownerName = 'Before\u0000after';

    const reply = await env.http.post('/api/recommendations/nul-1/assignment', lead, { ownerId: 'u-nul', ownerName });

    const problem = expectProblem(reply, 400);
    expect(problem.errors).toEqual([{ field: 'ownerName', message: expect.stringContaining('U+0000') }]);
    // The next command is readable at its position.
    const later = await env.assign('nul-1', 'u-after');
    const read = await env.http.get<RecommendationView>(`/api/recommendations/nul-1?position=${later.position}`, lead);
    expect({ status: read.status, body: read.body }).toMatchObject({ status: 200, body: { owner: { id: 'u-after' } } });
  });
});

/** Every read-model table (READ_MODEL_TABLES and the checkpoints) and the key it is ordered by. */
const TABLE_KEYS: Record<(typeof READ_MODEL_TABLES)[number] | 'projection_checkpoints', readonly string[]> = {
  recommendation_actions: ['recommendation_id', 'action_id'],
  recommendations: ['id'],
  inspections: ['id'],
  timeline: ['position'],
  taskings: ['id'],
  audit_findings: ['id'],
  projection_checkpoints: ['name'],
};
