/**
 * Taskings and the LPA register over HTTP, against the running standalone app (SQLite), as a black
 * box (API.md, Commands): issuing to several LPAs, each LPA acting on its own taskings and on no
 * other's (another LPA's tasking answers exactly as one that does not exist, a stale If-Match
 * included), the issuer cancelling, the register opened at start and restructured by an
 * administrator, intelligence requirements (versions) and audit findings, and the role matrix of
 * these routes. What the log holds is read through
 * `GET /api/history`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORCE_PEOPLE, type Person, tokensOf } from './support/people';
import { HttpClient, type Reply } from './support/http-client';
import { freePort, type RunningProcess, startApp, waitForStatus } from './support/processes';

const STANDALONE = 'dist/apps/standalone/src/main.js';
const SECRET = `taskings-e2e-${randomUUID()}`;
const DUE_AT = '2099-01-31T17:00:00Z';

const PEOPLE = {
  ...FORCE_PEOPLE,
  herefordshire: { sub: 'u-here-liu', name: 'Herefordshire LPA intelligence unit', roles: ['lpa'], lpa: 'herefordshire' },
} as const satisfies Record<string, Person>;
type Who = keyof typeof PEOPLE;
const TOKENS = tokensOf(SECRET, PEOPLE);

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: ReadonlyArray<{ field: string; message: string }>;
}
interface IssueAnswer {
  readonly id: string;
  readonly position: string;
  readonly taskings: ReadonlyArray<{ id: string; lpa: string }>;
}
interface HistoryEvent {
  readonly type: string;
  readonly stream: string;
  readonly actor: { id: string; role: string };
  readonly data: Record<string, unknown>;
}

let dataDir: string;
let app: RunningProcess;
let http: HttpClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'taskings-e2e-'));
  const port = await freePort();
  app = startApp(STANDALONE, {
    DATA_DIR: dataDir,
    PORT: String(port),
    AUTH_JWT_SECRET: SECRET,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `taskings-e2e-${process.pid}`,
  });
  await waitForStatus(port, '/health/ready', 200, app);
  http = new HttpClient(port);
}, 60_000);

afterAll(async () => {
  http?.close();
  await app?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const tasking = (overrides: Record<string, unknown> = {}) => ({
  lpas: ['shropshire', 'telford-and-wrekin'],
  title: 'Fill the modern slavery intelligence requirement',
  instructions: 'Report what is known locally of labour exploitation at car washes and nail bars.',
  priority: 'high',
  dueAt: DUE_AT,
  source: { kind: 'intelligence-requirement', id: 'modern-slavery' },
  ...overrides,
});

async function issue(overrides: Record<string, unknown> = {}, who: Who = 'intelligence'): Promise<IssueAnswer> {
  const reply = await http.post<IssueAnswer>('/api/taskings', TOKENS[who], tasking(overrides));
  expect(reply.status).toBe(201);
  return reply.body;
}
const idFor = (answer: IssueAnswer, lpa: string): string => answer.taskings.find((t) => t.lpa === lpa)!.id;

/** The log's events of one stream, once the read model has reached `position`. */
async function history(stream: string, position: string): Promise<HistoryEvent[]> {
  const reply = await http.get<{ items: HistoryEvent[] }>(`/api/history?stream=${encodeURIComponent(stream)}&position=${position}`, TOKENS.board);
  expect(reply.status).toBe(200);
  return reply.body.items;
}

/**
 * Waits until the worker has recorded the tasking's delivery (its second event, revision 1): it
 * does so on its own, a moment after the issue, so a test that counts events waits for it first.
 */
async function delivered(id: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const read = await http.get<{ deliveredAt: string | null }>(`/api/taskings/${id}`, TOKENS.board);
    if (read.status === 200 && read.body.deliveredAt !== null) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`tasking ${id} was not delivered within 10 s`);
}

/** An LPA's view of another LPA's tasking must be the view of one that does not exist. */
function expectNotFoundAlike(reply: Reply<Problem>, missing: Reply<Problem>, id: string, missingId: string): void {
  expect(reply.status).toBe(404);
  expect({ ...reply.body, detail: reply.body.detail.replace(id, '<id>') }).toEqual({ ...missing.body, detail: missing.body.detail.replace(missingId, '<id>') });
  expect(reply.text).not.toContain('Fill the modern slavery');
}

describe('the LPA register', () => {
  it("is opened at start with West Mercia's five LPAs of 2017, once", async () => {
    const probe = await issue({ lpas: ['herefordshire'] });
    const events = await history('lpa-register', probe.position);
    expect(events.map((event) => event.type)).toEqual(['LpaRegisterOpened']);
    expect((events[0]!.data.lpas as Array<{ code: string }>).map((lpa) => lpa.code)).toEqual([
      'herefordshire',
      'shropshire',
      'telford-and-wrekin',
      'north-worcestershire',
      'south-worcestershire',
    ]);
    expect(events[0]!.actor.role).toBe('system');
  });
});

describe('issuing taskings', () => {
  it('issues one tasking per LPA, each in its own stream, with its source', async () => {
    const answer = await issue();
    expect(answer.taskings.map((t) => t.lpa)).toEqual(['shropshire', 'telford-and-wrekin']);
    expect(new Set(answer.taskings.map((t) => t.id)).size).toBe(2);
    for (const { id, lpa } of answer.taskings) {
      const [issued] = await history(`tasking-${id}`, answer.position);
      expect(issued).toMatchObject({ type: 'TaskingIssued', data: { taskingId: id, lpa, priority: 'high', source: { kind: 'intelligence-requirement', id: 'modern-slavery' } } });
    }
  });

  it('refuses an audit finding as the source: corrections are the registrar\'s (400)', async () => {
    const reply = await http.post<Problem>('/api/taskings', TOKENS.lead, tasking({ source: { kind: 'audit-finding', id: 'af-1' } }));
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]?.field).toBe('source.kind');
  });

  it('refuses an LPA not in the register, or repeated, with nothing issued (400)', async () => {
    const unknown = await http.post<Problem>('/api/taskings', TOKENS.lead, tasking({ lpas: ['shropshire', 'west-midlands'] }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'lpas.1', message: expect.stringContaining('west-midlands is not an LPA of the register') }]);
    const twice = await http.post<Problem>('/api/taskings', TOKENS.lead, tasking({ lpas: ['shropshire', 'shropshire'] }));
    expect(twice.status).toBe(400);
  });

  it('refuses bad terms with their fields (400), and a due time already past', async () => {
    const bad = await http.post<Problem>('/api/taskings', TOKENS.lead, tasking({ priority: 'whenever', dueAt: 'tomorrow', title: '' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.field).sort()).toEqual(['dueAt', 'priority', 'title']);
    const past = await http.post<Problem>('/api/taskings', TOKENS.lead, tasking({ dueAt: '2017-12-14T17:00:00Z' }));
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'dueAt', message: expect.stringContaining('must be later than') }]);
  });

  it('issues the same taskings once for a repeat with the same Idempotency-Key', async () => {
    const key = randomUUID();
    const first = await http.post<IssueAnswer>('/api/taskings', TOKENS.lead, tasking(), { 'idempotency-key': key });
    const again = await http.post<IssueAnswer>('/api/taskings', TOKENS.lead, tasking(), { 'idempotency-key': key });
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});

describe('each LPA acts on its own taskings, and on no other', () => {
  it('acknowledges and completes its own', async () => {
    const answer = await issue();
    for (const lpa of ['shropshire', 'telford-and-wrekin'] as const) {
      const who: Who = lpa === 'shropshire' ? 'shropshire' : 'telford';
      const id = idFor(answer, lpa);
      await delivered(id);
      expect((await http.post(`/api/taskings/${id}/acknowledgement`, TOKENS[who], { note: 'DS to lead.' })).status).toBe(200);
      const done = await http.post<{ position: string }>(`/api/taskings/${id}/completion`, TOKENS[who], { outcome: 'Two premises found.', refs: ['22/45678/17'] });
      expect(done.status).toBe(200);
      const events = await history(`tasking-${id}`, done.body.position);
      expect(events.map((event) => event.type)).toEqual(['TaskingIssued', 'TaskingDelivered', 'TaskingAcknowledged', 'TaskingCompleted']);
      expect(events[1]!.actor).toMatchObject({ role: 'system' });
      expect(events[3]!.actor).toMatchObject({ id: PEOPLE[who].sub, role: 'lpa' });
    }
  });

  it("answers another LPA's tasking exactly as one that does not exist, on every command, a stale If-Match included", async () => {
    const answer = await issue();
    const theirs = idFor(answer, 'shropshire');
    await delivered(theirs);
    const missingId = randomUUID();
    for (const [path, body] of [
      ['acknowledgement', {}],
      ['completion', { outcome: 'Nothing found.' }],
      ['decline', { reason: 'Not ours.' }],
    ] as const) {
      const missing = await http.post<Problem>(`/api/taskings/${missingId}/${path}`, TOKENS.herefordshire, body);
      expectNotFoundAlike(await http.post<Problem>(`/api/taskings/${theirs}/${path}`, TOKENS.herefordshire, body), missing, theirs, missingId);
      for (const ifMatch of ['"0"', '"7"']) {
        const missingWithRevision = await http.post<Problem>(`/api/taskings/${missingId}/${path}`, TOKENS.herefordshire, body, { 'if-match': ifMatch });
        const theirsWithRevision = await http.post<Problem>(`/api/taskings/${theirs}/${path}`, TOKENS.herefordshire, body, { 'if-match': ifMatch });
        expectNotFoundAlike(theirsWithRevision, missingWithRevision, theirs, missingId);
      }
    }
    // Their own LPA with a stale If-Match learns it is stale.
    expect((await http.post(`/api/taskings/${theirs}/acknowledgement`, TOKENS.shropshire, {}, { 'if-match': '"5"' })).status).toBe(412);
    // And nothing was appended by the refused calls.
    const events = await history(`tasking-${theirs}`, answer.position);
    expect(events.map((event) => event.type)).toEqual(['TaskingIssued', 'TaskingDelivered']);
  });
});

describe('reading a tasking and the register', () => {
  interface TaskingView {
    readonly id: string;
    readonly lpa: string;
    readonly status: string;
    readonly revision: number;
    readonly completion: { outcome: string; refs: string[] } | null;
  }

  it('answers a tasking to its issuers, the board and its own LPA, with its ETag and its history', async () => {
    const answer = await issue({ lpas: ['shropshire'] });
    const id = idFor(answer, 'shropshire');
    await delivered(id);
    const acked = await http.post<{ position: string }>(`/api/taskings/${id}/acknowledgement`, TOKENS.shropshire, {});
    for (const who of ['lead', 'intelligence', 'registrar', 'board', 'shropshire'] as const) {
      const read = await http.get<TaskingView>(`/api/taskings/${id}`, TOKENS[who]);
      expect({ who, status: read.status, body: read.body }).toMatchObject({ who, status: 200, body: { id, lpa: 'shropshire', status: 'acknowledged', revision: 2 } });
      expect(read.headers.etag).toBe('"2"');
    }
    const history = await http.get<{ events: HistoryEvent[] }>(`/api/taskings/${id}/history?position=${acked.body.position}`, TOKENS.shropshire);
    expect(history.body.events.map((event) => event.type)).toEqual(['TaskingIssued', 'TaskingDelivered', 'TaskingAcknowledged']);
    expect((await http.get(`/api/taskings/${id}`, TOKENS.admin)).status).toBe(403);
  });

  it("answers another LPA's tasking, and its history, as one that does not exist", async () => {
    const id = idFor(await issue({ lpas: ['shropshire'] }), 'shropshire');
    const missingId = randomUUID();
    for (const path of ['', '/history']) {
      const missing = await http.get<Problem>(`/api/taskings/${missingId}${path}`, TOKENS.herefordshire);
      expectNotFoundAlike(await http.get<Problem>(`/api/taskings/${id}${path}`, TOKENS.herefordshire), missing, id, missingId);
    }
  });

  it('answers a tasking as it stood at ?asOf=', async () => {
    const id = idFor(await issue({ lpas: ['telford-and-wrekin'] }), 'telford-and-wrekin');
    await delivered(id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await http.post(`/api/taskings/${id}/decline`, TOKENS.telford, { reason: 'Not ours.' });
    expect((await http.get<TaskingView>(`/api/taskings/${id}?asOf=${before}`, TOKENS.board)).body).toMatchObject({ status: 'delivered', revision: 1 });
    expect((await http.get<TaskingView>(`/api/taskings/${id}`, TOKENS.board)).body).toMatchObject({ status: 'declined', revision: 2 });
  });

  it('lists the register to everyone, an LPA user included', async () => {
    for (const who of Object.keys(PEOPLE) as Who[]) {
      const register = await http.get<{ items: Array<{ code: string }>; next: null }>('/api/lpas', TOKENS[who]);
      expect({ who, status: register.status }).toEqual({ who, status: 200 });
      expect(register.body.items.map((lpa) => lpa.code)).toEqual(expect.arrayContaining(['herefordshire', 'shropshire', 'telford-and-wrekin', 'north-worcestershire', 'south-worcestershire']));
      expect(register.body.next).toBeNull();
    }
    expect((await http.get('/api/lpas')).status).toBe(401);
  });
});

describe('the issuer', () => {
  it('cancels an open tasking; the LPA can then no longer act on it (409)', async () => {
    const answer = await issue({ lpas: ['shropshire'] });
    const id = idFor(answer, 'shropshire');
    expect((await http.post(`/api/taskings/${id}/cancellation`, TOKENS.lead, { reason: 'Superseded.' })).status).toBe(200);
    const late = await http.post<Problem>(`/api/taskings/${id}/acknowledgement`, TOKENS.shropshire, {});
    expect(late.status).toBe(409);
  });

  it('closes a tasking its LPA declined', async () => {
    const answer = await issue({ lpas: ['telford-and-wrekin'] });
    const id = idFor(answer, 'telford-and-wrekin');
    await delivered(id);
    expect((await http.post(`/api/taskings/${id}/decline`, TOKENS.telford, { reason: 'The premises are in Shropshire.' })).status).toBe(200);
    const closed = await http.post<{ position: string }>(`/api/taskings/${id}/cancellation`, TOKENS.intelligence, { reason: 'Re-tasked to Shropshire.' });
    expect(closed.status).toBe(200);
    expect((await history(`tasking-${id}`, closed.body.position)).map((event) => event.type)).toEqual(['TaskingIssued', 'TaskingDelivered', 'TaskingDeclined', 'TaskingCancelled']);
  });
});

describe('who may call the tasking routes (DOMAIN.md, API.md)', () => {
  const ROUTES: ReadonlyArray<{ path: (id: string) => string; body: object; allowed: readonly Who[] }> = [
    { path: () => '/api/taskings', body: tasking({ lpas: ['herefordshire'] }), allowed: ['lead', 'intelligence'] },
    { path: (id) => `/api/taskings/${id}/acknowledgement`, body: {}, allowed: ['herefordshire'] },
    { path: (id) => `/api/taskings/${id}/completion`, body: { outcome: 'Done.' }, allowed: ['herefordshire'] },
    { path: (id) => `/api/taskings/${id}/decline`, body: { reason: 'Not ours.' }, allowed: ['herefordshire'] },
    { path: (id) => `/api/taskings/${id}/cancellation`, body: { reason: 'Withdrawn.' }, allowed: ['lead', 'intelligence'] },
    { path: () => '/api/lpas', body: { code: 'herefordshire', name: 'Herefordshire', activeFrom: '2017-01-01' }, allowed: ['admin'] },
  ];

  it('answers 401 without a token, 403 to a role not allowed, and lets the allowed ones through', async () => {
    let checked = 0;
    for (const route of ROUTES) {
      for (const who of Object.keys(PEOPLE) as Who[]) {
        // A fresh tasking for each call, so that an allowed call finds it open.
        const id = idFor(await issue({ lpas: ['herefordshire'] }), 'herefordshire');
        const reply = await http.post<Problem>(route.path(id), TOKENS[who], route.body);
        if (route.allowed.includes(who)) {
          expect({ who, path: route.path('<id>'), allowed: [200, 201].includes(reply.status) }).toEqual({ who, path: route.path('<id>'), allowed: true });
        } else if (PEOPLE[who].roles.includes('lpa' as never) && route.allowed.some((a) => PEOPLE[a].roles.includes('lpa' as never))) {
          // Another LPA: not found, never forbidden (which would tell it the tasking exists).
          expect({ who, path: route.path('<id>'), status: reply.status }).toEqual({ who, path: route.path('<id>'), status: 404 });
        } else {
          expect({ who, path: route.path('<id>'), status: reply.status }).toEqual({ who, path: route.path('<id>'), status: 403 });
        }
        checked += 1;
      }
      const anonymous = await http.post(route.path(randomUUID()), undefined, route.body);
      expect(anonymous.status).toBe(401);
    }
    console.log(`tasking routes: ${checked} role cells and ${ROUTES.length} anonymous calls checked`);
  }, 60_000);
});

describe('intelligence requirements (seed ¶16-18)', () => {
  interface RequirementView {
    readonly id: string;
    readonly version: number;
    readonly questions: readonly string[];
    readonly rag: string;
    readonly lpas: readonly string[];
    readonly dueAt: string | null;
    readonly revision: number;
  }
  const raise = { title: 'Modern slavery and human trafficking', priority: 'modern-slavery', questions: ['Where are car washes with indicators of labour exploitation?'], rag: 'red', rationale: 'Little is known of the scale locally.' };
  const refresh = { questions: ['Where are car washes with indicators of labour exploitation?', 'Which agricultural employers use gangmasters?'], rag: 'red', rationale: 'Each LPA to report.', lpas: ['shropshire', 'telford-and-wrekin', 'herefordshire'], dueAt: DUE_AT };

  it('raises version 1, refreshes it into version 2 for three LPAs, and keeps version 1 readable', async () => {
    const id = `modern-slavery-${randomUUID().slice(0, 8)}`;
    const raised = await http.post<{ id: string; version: number; revision: number }>('/api/intelligence-requirements', TOKENS.intelligence, { id, ...raise });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ id, version: 1, revision: 0 });
    expect(raised.headers.etag).toBe('"0"');

    const refreshed = await http.post<{ version: number }>(`/api/intelligence-requirements/${id}/refresh`, TOKENS.lead, refresh, { 'if-match': '"0"' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.version).toBe(2);

    const latest = await http.get<RequirementView>(`/api/intelligence-requirements/${id}`, TOKENS.board);
    expect(latest.body).toMatchObject({ id, version: 2, lpas: ['shropshire', 'telford-and-wrekin', 'herefordshire'], dueAt: DUE_AT, revision: 1 });
    expect(latest.headers.etag).toBe('"1"');
    const first = await http.get<RequirementView>(`/api/intelligence-requirements/${id}?version=1`, TOKENS.registrar);
    expect(first.body).toMatchObject({ id, version: 1, questions: raise.questions, lpas: [], dueAt: null });
    expect((await http.get(`/api/intelligence-requirements/${id}?version=3`, TOKENS.board)).status).toBe(404);
    expect((await http.get(`/api/intelligence-requirements/${id}?version=two`, TOKENS.board)).status).toBe(400);
    // A stale If-Match is a 412; an LPA may not read requirements (API.md: all but lpa).
    expect((await http.post(`/api/intelligence-requirements/${id}/refresh`, TOKENS.lead, refresh, { 'if-match': '"0"' })).status).toBe(412);
    expect((await http.get(`/api/intelligence-requirements/${id}`, TOKENS.shropshire)).status).toBe(403);
    expect((await http.get(`/api/intelligence-requirements/${id}?version=0`, TOKENS.board)).status).toBe(400);

    // Raising it again: the same terms are a repeat answering version 1; other terms a 409.
    const again = await http.post<{ version: number }>('/api/intelligence-requirements', TOKENS.intelligence, { id, ...raise });
    expect({ status: again.status, version: again.body.version }).toEqual({ status: 201, version: 1 });
    expect((await http.post('/api/intelligence-requirements', TOKENS.intelligence, { id, ...raise, title: 'Another title' })).status).toBe(409);
  });

  it('answers as the log stood at ?asOf=: nothing before it was raised, version 1 before its refresh', async () => {
    const id = `as-of-${randomUUID().slice(0, 8)}`;
    const before = new Date(Date.now() - 1_000).toISOString();
    await http.post('/api/intelligence-requirements', TOKENS.intelligence, { id, ...raise });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await http.post(`/api/intelligence-requirements/${id}/refresh`, TOKENS.intelligence, refresh);
    expect((await http.get(`/api/intelligence-requirements/${id}?asOf=${before}`, TOKENS.board)).status).toBe(404);
    expect((await http.get<RequirementView>(`/api/intelligence-requirements/${id}?asOf=${between}`, TOKENS.board)).body).toMatchObject({ version: 1, revision: 0 });
    expect((await http.get<RequirementView>(`/api/intelligence-requirements/${id}`, TOKENS.board)).body).toMatchObject({ version: 2 });
  });

  it('is raised by the strategic lead or the intelligence bureau only', async () => {
    for (const who of ['registrar', 'board', 'shropshire', 'admin'] as const) {
      expect({ who, status: (await http.post('/api/intelligence-requirements', TOKENS[who], raise)).status }).toEqual({ who, status: 403 });
    }
  });

  it('refuses a refresh naming an LPA not in the register (400), by a role not allowed (403), or of no requirement (404)', async () => {
    const id = `requirement-${randomUUID().slice(0, 8)}`;
    await http.post('/api/intelligence-requirements', TOKENS.lead, { id, ...raise });
    const unknown = await http.post<Problem>(`/api/intelligence-requirements/${id}/refresh`, TOKENS.intelligence, { ...refresh, lpas: ['shropshire', 'west-midlands'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.field).toBe('lpas.1');
    for (const who of ['registrar', 'board', 'shropshire', 'admin'] as const) {
      expect({ who, status: (await http.post(`/api/intelligence-requirements/${id}/refresh`, TOKENS[who], refresh)).status }).toEqual({ who, status: 403 });
    }
    expect((await http.post('/api/intelligence-requirements/no-such-requirement/refresh', TOKENS.lead, refresh)).status).toBe(404);
  });
});

describe('audit findings (seed ¶21)', () => {
  const finding = {
    auditId: 'modern-slavery-thematic-2017',
    lpa: 'shropshire',
    category: 'nrm-not-crimed',
    severity: 'high',
    finding: 'An NRM referral was made but no crime was recorded within 72 hours.',
    recordRef: '22/12345/17',
    correctionDueAt: DUE_AT,
  };

  it('records a finding (the registrar); its correction cannot be verified before it is made (409)', async () => {
    const recorded = await http.post<{ id: string }>('/api/audit-findings', TOKENS.registrar, finding);
    expect(recorded.status).toBe(201);
    const verified = await http.post<Problem>(`/api/audit-findings/${recorded.body.id}/verification`, TOKENS.registrar, { outcome: 'verified' });
    expect(verified.status).toBe(409);
    expect((await http.post('/api/audit-findings/no-such-finding/verification', TOKENS.registrar, { outcome: 'verified' })).status).toBe(404);
  });

  it("refuses a person's details as the record reference, an LPA not in the register, and other roles", async () => {
    const named = await http.post<Problem>('/api/audit-findings', TOKENS.registrar, { ...finding, recordRef: 'John Smith' });
    expect(named.status).toBe(400);
    expect(named.body.errors?.[0]).toMatchObject({ field: 'recordRef', message: expect.stringContaining("never a person's details") });
    const unknown = await http.post<Problem>('/api/audit-findings', TOKENS.registrar, { ...finding, lpa: 'west-midlands' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.field).toBe('lpa');
    for (const who of ['lead', 'intelligence', 'board', 'shropshire', 'admin'] as const) {
      expect({ who, status: (await http.post('/api/audit-findings', TOKENS[who], finding)).status }).toEqual({ who, status: 403 });
      expect({ who, status: (await http.post('/api/audit-findings/any-finding/verification', TOKENS[who], { outcome: 'verified' })).status }).toEqual({ who, status: 403 });
    }
  });
});

describe('a restructure of the register (19 January 2026)', () => {
  it('adds an LPA and ends another: taskings bind to the LPAs active on their day', async () => {
    const added = await http.post<Problem>('/api/lpas', TOKENS.admin, { code: 'shropshire-and-telford', name: 'Shropshire & Telford', activeFrom: '2026-01-19' });
    expect(added.status).toBe(200);
    const repeat = await http.post('/api/lpas', TOKENS.admin, { code: 'shropshire-and-telford', name: 'Shropshire & Telford', activeFrom: '2026-01-19' });
    expect(repeat.status).toBe(200);
    expect((await http.post<Problem>('/api/lpas', TOKENS.admin, { code: 'shropshire-and-telford', name: 'Another name', activeFrom: '2026-01-19' })).status).toBe(409);

    const ended = await http.post('/api/lpas', TOKENS.admin, { code: 'south-worcestershire', name: 'South Worcestershire', activeFrom: '2017-01-01', activeTo: '2026-01-18' });
    expect(ended.status).toBe(200);
    // Today is after the restructure: the new LPA takes taskings, the ended one no longer does.
    expect((await issue({ lpas: ['shropshire-and-telford'] })).taskings).toHaveLength(1);
    const refused = await http.post<Problem>('/api/taskings', TOKENS.lead, tasking({ lpas: ['south-worcestershire'] }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.field).toBe('lpas.0');
  });

  it('refuses a bad LPA (400)', async () => {
    const bad = await http.post<Problem>('/api/lpas', TOKENS.admin, { code: 'Not Kebab', name: '', activeFrom: '19/01/2026' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.field).sort()).toEqual(['activeFrom', 'code', 'name']);
  });
});
