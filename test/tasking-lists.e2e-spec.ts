/**
 * The tasking lists over HTTP (API.md, Queries): `GET /api/taskings` with each filter and its
 * paging, an LPA's queue (`GET /api/lpas/:code/taskings`) and its order, `GET /api/audit-findings`,
 * and the board summary's tasking and audit finding counts; now, at `?asOf=`, and to each role.
 * An LPA user sees its own LPA's taskings only, on every path: its list is its LPA's whatever it
 * asks, and naming another LPA (in a filter or a queue's path) is a 403 that says nothing of it.
 *
 * The app runs as the api and the projector, two processes on one data folder, without the
 * worker: nothing but these tests records a delivery (through the event store, as the worker
 * does: RecordTaskingDelivery in the system role), so a tasking stays `issued` until a test
 * delivers it, and the queue's order is the one the tests give. Each test works in LPAs, or
 * with sources, of its own, so that what another test (or a process manager acting on its
 * events) adds cannot change its answers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, type AuditFindingCommand, SYSTEM_ROLE, type TaskingCommand, auditFindingDecider, taskingDecider } from '@app/domain';
import { type EventStore, createEventStore, handleCommand } from '@app/event-store';
import { FORCE_PEOPLE, type Person, tokensOf } from './support/people';
import { HttpClient, type Reply } from './support/http-client';
import { freePort, type RunningProcess, startApp, stopAll, waitForStatus } from './support/processes';

const API = 'dist/apps/api/src/main.js';
const PROJECTOR = 'dist/apps/projector/src/main.js';
const SECRET = `tasking-lists-e2e-${randomUUID()}`;
const DUE_AT = '2099-01-31T17:00:00Z';

const PEOPLE = {
  ...FORCE_PEOPLE,
  southWorcs: { sub: 'u-sw-liu', name: 'South Worcestershire LPA', roles: ['lpa'], lpa: 'south-worcestershire' },
  northWorcs: { sub: 'u-nw-liu', name: 'North Worcestershire LPA', roles: ['lpa'], lpa: 'north-worcestershire' },
  /** A board member who is also a Shropshire user: reads as the board. */
  boardAndShropshire: { sub: 'u-both', name: 'Board member from Shropshire', roles: ['lpa', 'board'], lpa: 'shropshire' },
} as const satisfies Record<string, Person>;
type Who = keyof typeof PEOPLE;
const TOKENS = tokensOf(SECRET, PEOPLE);
const SYSTEM: Actor = { id: 'tasking-lists-e2e', name: 'Test standing in for the worker', role: SYSTEM_ROLE };

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: ReadonlyArray<{ field: string; message: string }>;
}
interface TaskingView {
  readonly id: string;
  readonly lpa: string;
  readonly title: string;
  readonly status: string;
  readonly escalated: boolean;
  readonly deliveredAt: string | null;
  readonly source: { kind: string; id: string } | null;
  readonly revision: number;
}
interface FindingView {
  readonly id: string;
  readonly lpa: string;
  readonly status: string;
  readonly revision: number;
}
interface List<Item> {
  readonly items: Item[];
  readonly next: string | null;
}
interface Tally {
  readonly total: number;
  readonly byStatus: Record<string, number>;
  readonly escalated: number;
}
interface Summary {
  readonly asOf: string;
  readonly recommendations: { total: number; byStatus: Record<string, number> };
  readonly taskings: Tally & { byLpa: Record<string, Tally> };
  readonly auditFindings: { total: number; byStatus: Record<string, number>; open: number; openByLpa: Record<string, number> };
}

let dataDir: string;
let api: RunningProcess;
let http: HttpClient;
let store: EventStore;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tasking-lists-e2e-'));
  const port = await freePort();
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    AUTH_JWT_SECRET: SECRET,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `tasking-lists-e2e-${process.pid}`,
  };
  api = startApp(API, env);
  await waitForStatus(port, '/health/ready', 200, api);
  startApp(PROJECTOR, { ...env, PORT: String(await freePort()) });
  http = new HttpClient(port);
  // The app's own log, as another process appending to it (the worker does so).
  store = createEventStore({ kind: 'sqlite', file: join(dataDir, 'events.sqlite') });
}, 60_000);

afterAll(async () => {
  http?.close();
  await store?.close();
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Issues one tasking per LPA; answers the ids by LPA and the position to read at. */
async function issue(lpas: readonly string[], overrides: Record<string, unknown> = {}): Promise<{ ids: string[]; position: string }> {
  const reply = await http.post<{ position: string; taskings: Array<{ id: string; lpa: string }> }>('/api/taskings', TOKENS.intelligence, {
    lpas,
    title: 'Fill the modern slavery intelligence requirement',
    instructions: 'Report what is known locally of labour exploitation at car washes.',
    priority: 'high',
    dueAt: DUE_AT,
    ...overrides,
  });
  expect(reply.status).toBe(201);
  return { ids: lpas.map((lpa) => reply.body.taskings.find((t) => t.lpa === lpa)!.id), position: reply.body.position };
}

/** A tasking command in the system role, appended to the app's log as the worker would; answers its position. */
async function asSystem(taskingId: string, command: (meta: { actor: Actor; now: string }) => TaskingCommand, now = new Date().toISOString()): Promise<string> {
  const result = await handleCommand(store, {
    streamId: `tasking-${taskingId}`,
    decider: taskingDecider,
    command: command({ actor: SYSTEM, now }),
    context: { commandId: randomUUID(), actor: SYSTEM, correlationId: randomUUID(), now },
  });
  expect(result.events.length).toBe(1);
  return String(result.position);
}
const deliver = (id: string, at?: string): Promise<string> => asSystem(id, (meta) => ({ type: 'RecordTaskingDelivery', ...meta, taskingId: id }), at);
const escalate = (id: string): Promise<string> => asSystem(id, (meta) => ({ type: 'EscalateTasking', ...meta, taskingId: id, deadline: meta.now }));

async function get<Body>(path: string, who: Who | undefined): Promise<Reply<Body>> {
  return http.get<Body>(path, who === undefined ? undefined : TOKENS[who]);
}
async function list(path: string, who: Who = 'board'): Promise<List<TaskingView>> {
  const reply = await get<List<TaskingView>>(path, who);
  expect({ path, who, status: reply.status }).toEqual({ path, who, status: 200 });
  return reply.body;
}
const ids = (answer: { items: ReadonlyArray<{ id: string }> }): string[] => answer.items.map((item) => item.id);
/** An instant strictly between what the log recorded before it and what it records after. */
async function instantBetween(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 15));
  const instant = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 15));
  return instant;
}
function expectProblem(reply: Reply<unknown>, status: number, fields?: string[]): Problem {
  expect({ status: reply.status, type: reply.headers['content-type'] }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
  const problem = reply.body as Problem;
  // Each field named, once however many of its rules it broke.
  if (fields) expect([...new Set((problem.errors ?? []).map((error) => error.field))].sort()).toEqual([...fields].sort());
  return problem;
}

describe('GET /api/taskings', () => {
  it('lists in the order issued, with each filter, repeated statuses and paging', async () => {
    const source = `req-${randomUUID().slice(0, 8)}`;
    const other = `rec-${randomUUID().slice(0, 8)}`;
    const first = await issue(['shropshire', 'telford-and-wrekin'], { source: { kind: 'intelligence-requirement', id: source } });
    const second = await issue(['shropshire'], { source: { kind: 'recommendation', id: other } });
    const [shropA, telfordA] = first.ids as [string, string];
    const [shropB] = second.ids as [string];
    await deliver(telfordA);
    const escalated = await escalate(shropA);

    const at = `position=${escalated}`;
    expect(ids(await list(`/api/taskings?source=${source}&${at}`))).toEqual([shropA, telfordA]);
    expect(ids(await list(`/api/taskings?source=${source}&lpa=telford-and-wrekin&${at}`))).toEqual([telfordA]);
    expect(ids(await list(`/api/taskings?source=${source}&status=delivered&${at}`))).toEqual([telfordA]);
    expect(ids(await list(`/api/taskings?source=${source}&status=delivered&status=issued&${at}`))).toEqual([shropA, telfordA]);
    expect(ids(await list(`/api/taskings?source=${source}&status=acknowledged&${at}`))).toEqual([]);
    expect(ids(await list(`/api/taskings?source=${source}&escalated=true&${at}`))).toEqual([shropA]);
    expect(ids(await list(`/api/taskings?source=${source}&escalated=false&${at}`))).toEqual([telfordA]);
    expect(ids(await list(`/api/taskings?source=${other}&sourceKind=recommendation&${at}`))).toEqual([shropB]);
    expect(ids(await list(`/api/taskings?source=${other}&sourceKind=intelligence-requirement&${at}`))).toEqual([]);
    const [item] = (await list(`/api/taskings?source=${source}&escalated=true&${at}`)).items;
    expect(item).toMatchObject({ id: shropA, lpa: 'shropshire', status: 'issued', escalated: true, source: { kind: 'intelligence-requirement', id: source }, revision: 1 });
    expect(item).not.toHaveProperty('issued');

    // Paged by the position of each issue, whatever else is in the list.
    const everything = ids(await list(`/api/taskings?limit=1000&${at}`));
    expect(everything.filter((id) => [shropA, telfordA, shropB].includes(id))).toEqual([shropA, telfordA, shropB]);
    const page1 = await list(`/api/taskings?source=${source}&limit=1&${at}`);
    expect(ids(page1)).toEqual([shropA]);
    expect(page1.next).toMatch(/^\d+$/);
    const page2 = await list(`/api/taskings?source=${source}&limit=1&after=${page1.next}&${at}`);
    expect({ ids: ids(page2), next: page2.next }).toEqual({ ids: [telfordA], next: null });
  });

  it('answers as the log stood at ?asOf=, before and after an event', async () => {
    const source = `req-${randomUUID().slice(0, 8)}`;
    const beforeIssue = await instantBetween();
    const { ids: [id] } = await issue(['telford-and-wrekin'], { source: { kind: 'intelligence-requirement', id: source } });
    const beforeDecline = await instantBetween();
    const declined = await http.post<{ position: string }>(`/api/taskings/${id}/decline`, TOKENS.telford, { reason: 'Not ours.' });
    expect(declined.status).toBe(200);

    expect(await list(`/api/taskings?source=${source}&asOf=${beforeIssue}`)).toEqual({ items: [], next: null });
    expect((await list(`/api/taskings?source=${source}&asOf=${beforeDecline}`)).items).toEqual([expect.objectContaining({ id, status: 'issued', revision: 0 })]);
    expect(ids(await list(`/api/taskings?source=${source}&status=declined&asOf=${beforeDecline}`))).toEqual([]);
    expect((await list(`/api/taskings?source=${source}&position=${declined.body.position}`)).items).toEqual([expect.objectContaining({ id, status: 'declined', revision: 1 })]);
    // As of now, the log and the read model say the same.
    const now = await instantBetween();
    expect(await list(`/api/taskings?source=${source}&asOf=${now}`)).toEqual(await list(`/api/taskings?source=${source}`));
  });

  it('confines an LPA user to its own LPA: its list is its own, another LPA named is a 403 that says nothing', async () => {
    const source = `req-${randomUUID().slice(0, 8)}`;
    const { ids: [shrop, telford], position } = await issue(['shropshire', 'telford-and-wrekin'], { source: { kind: 'intelligence-requirement', id: source } });
    const at = `position=${position}`;

    const own = await list(`/api/taskings?limit=1000&${at}`, 'shropshire');
    expect(own.items.length).toBeGreaterThan(0);
    expect(own.items.every((item) => item.lpa === 'shropshire')).toBe(true);
    expect(ids(own)).toContain(shrop);
    expect(ids(own)).not.toContain(telford);
    // The same as the board's list of Shropshire's taskings, and as the user naming its own LPA.
    expect(own).toEqual(await list(`/api/taskings?limit=1000&lpa=shropshire&${at}`, 'board'));
    expect(own).toEqual(await list(`/api/taskings?limit=1000&lpa=shropshire&${at}`, 'shropshire'));
    // Filters narrow its own list only: Telford's tasking of the same source never shows.
    expect(ids(await list(`/api/taskings?source=${source}&${at}`, 'shropshire'))).toEqual([shrop]);
    expect(ids(await list(`/api/taskings?source=${source}&${at}`, 'telford'))).toEqual([telford]);
    const now = await instantBetween();
    expect(ids(await list(`/api/taskings?source=${source}&asOf=${now}`, 'shropshire'))).toEqual([shrop]);

    // Another LPA, one that does not exist, or as of an instant: the same 403, naming neither.
    const forbidden = expectProblem(await get(`/api/taskings?lpa=telford-and-wrekin`, 'shropshire'), 403);
    const unknown = expectProblem(await get(`/api/taskings?lpa=no-such-lpa`, 'shropshire'), 403);
    expect(forbidden).toEqual(unknown);
    expect(JSON.stringify(forbidden)).not.toMatch(/telford|no-such/);
    expect(expectProblem(await get(`/api/taskings?lpa=telford-and-wrekin&asOf=${now}`, 'shropshire'), 403)).toEqual(forbidden);
    // Holding the board's role too, the user reads as the board.
    expect(ids(await list(`/api/taskings?source=${source}&${at}`, 'boardAndShropshire'))).toEqual([shrop, telford]);
  });

  it('is read by every role; refuses bad input with 400 and the fields, and no token with 401', async () => {
    for (const who of Object.keys(PEOPLE) as Who[]) expect({ who, status: (await get('/api/taskings?limit=1', who)).status }).toEqual({ who, status: 200 });
    expect((await get('/api/taskings', undefined)).status).toBe(401);
    expectProblem(await get('/api/taskings?status=whenever', 'board'), 400, ['status']);
    expectProblem(await get('/api/taskings?status=issued&status=bogus', 'board'), 400, ['status']);
    expectProblem(await get('/api/taskings?escalated=yes&sourceKind=memo', 'board'), 400, ['escalated', 'sourceKind']);
    expectProblem(await get('/api/taskings?lpa=Not%20Kebab&source=A_B', 'board'), 400, ['lpa', 'source']);
    expectProblem(await get('/api/taskings?limit=0', 'board'), 400, ['limit']);
    expectProblem(await get('/api/taskings?limit=1001', 'board'), 400, ['limit']);
    expectProblem(await get('/api/taskings?after=x', 'board'), 400, ['after']);
    expectProblem(await get('/api/taskings?asOf=tomorrow', 'board'), 400, ['asOf']);
    expectProblem(await get('/api/taskings?position=-1', 'board'), 400, ['position']);
    expectProblem(await get('/api/taskings?owner=u-1', 'board'), 400);
    expectProblem(await get('/api/taskings?lpa=shropshire&lpa=telford-and-wrekin', 'board'), 400, ['lpa']);
  });
});

describe('GET /api/lpas/:code/taskings', () => {
  it("gives the LPA's open queue, oldest delivery first: delivered or acknowledged, nothing undelivered or done", async () => {
    const lpa = 'south-worcestershire';
    const all: string[] = [];
    for (let n = 0; n < 6; n += 1) all.push(...(await issue([lpa])).ids);
    const [a, b, c, d, e, f] = all as [string, string, string, string, string, string];
    const base = Date.now() - 60_000;
    const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
    // Recorded in the order a, b, c, d, e; delivered (as the worker says) b first, then c, then a.
    await deliver(a, at(30));
    await deliver(b, at(10));
    await deliver(c, at(20));
    await deliver(d, at(5));
    await deliver(e, at(6));
    const beforeAnswers = await instantBetween();
    const token = TOKENS.southWorcs;
    expect((await http.post(`/api/taskings/${c}/acknowledgement`, token, {})).status).toBe(200);
    expect((await http.post(`/api/taskings/${d}/completion`, token, { outcome: 'Done.' })).status).toBe(200);
    expect((await http.post(`/api/taskings/${e}/decline`, token, { reason: 'Not ours.' })).status).toBe(200);
    const cancelled = await http.post<{ position: string }>(`/api/taskings/${f}/cancellation`, TOKENS.lead, { reason: 'Superseded.' });
    expect(cancelled.status).toBe(200);

    const queue = await list(`/api/lpas/${lpa}/taskings?position=${cancelled.body.position}`, 'southWorcs');
    expect(ids(queue)).toEqual([b, c, a]);
    expect(queue.items.map((item) => item.status)).toEqual(['delivered', 'acknowledged', 'delivered']);
    expect(queue.items[0]!.deliveredAt).toBe(at(10));
    // Every reader allowed gets the same queue.
    for (const who of ['lead', 'intelligence', 'board'] as const) expect(await list(`/api/lpas/${lpa}/taskings`, who)).toEqual(queue);
    // Paged: the cursor is the last item's place.
    const page1 = await list(`/api/lpas/${lpa}/taskings?limit=2`, 'board');
    expect(ids(page1)).toEqual([b, c]);
    expect({ ids: ids(await list(`/api/lpas/${lpa}/taskings?limit=2&after=${page1.next}`, 'board')), next: null }).toEqual({ ids: [a], next: null });
    expectProblem(await get(`/api/lpas/${lpa}/taskings?after=1`, 'board'), 400, ['after']);

    // As it stood before the answers: d and e still in it, in their delivery order.
    expect(ids(await list(`/api/lpas/${lpa}/taskings?asOf=${beforeAnswers}`, 'board'))).toEqual([d, e, b, c, a]);
    const now = await instantBetween();
    expect(await list(`/api/lpas/${lpa}/taskings?asOf=${now}`, 'board')).toEqual(queue);
  });

  it("answers another LPA's queue with a 403 that says nothing, whether or not that LPA exists; an unknown LPA is a 404 to others", async () => {
    const { ids: [id] } = await issue(['telford-and-wrekin']);
    const position = await deliver(id!);
    const theirs = expectProblem(await get(`/api/lpas/telford-and-wrekin/taskings?position=${position}`, 'shropshire'), 403);
    const missing = expectProblem(await get('/api/lpas/no-such-lpa/taskings', 'shropshire'), 403);
    expect(theirs).toEqual(missing);
    expect(JSON.stringify(theirs)).not.toContain(id);
    expect(ids(await list(`/api/lpas/telford-and-wrekin/taskings?limit=1000&position=${position}`, 'telford'))).toContain(id);
    expect(ids(await list(`/api/lpas/shropshire/taskings?limit=1000&position=${position}`, 'shropshire'))).not.toContain(id);

    expectProblem(await get('/api/lpas/no-such-lpa/taskings', 'board'), 404);
    expectProblem(await get('/api/lpas/telford-and-wrekin/taskings?asOf=2017-01-01T00:00:00Z', 'board'), 404);
    expectProblem(await get('/api/lpas/Not_A_Code/taskings', 'board'), 400, ['code']);
    for (const who of ['registrar', 'admin'] as const) expectProblem(await get('/api/lpas/telford-and-wrekin/taskings', who), 403);
    expect((await get('/api/lpas/telford-and-wrekin/taskings', undefined)).status).toBe(401);
  });
});

describe('GET /api/audit-findings', () => {
  const finding = {
    auditId: 'modern-slavery-thematic-2017',
    lpa: 'herefordshire',
    category: 'nrm-not-crimed',
    severity: 'high',
    finding: 'An NRM referral was made but no crime was recorded within 72 hours.',
    recordRef: '22/12345/17',
    correctionDueAt: DUE_AT,
  };

  it('lists findings by LPA and status, now and as of an instant, to the registrar, the board and the lead; and counts the open ones', async () => {
    const before = await instantBetween();
    const summaryBefore = (await get<Summary>(`/api/board/summary?asOf=${before}`, 'board')).body;
    const first = await http.post<{ id: string }>('/api/audit-findings', TOKENS.registrar, finding);
    const second = await http.post<{ id: string; position: string }>('/api/audit-findings', TOKENS.registrar, { ...finding, severity: 'low' });
    expect([first.status, second.status]).toEqual([201, 201]);
    const beforeVerification = await instantBetween();
    // The correction done (as the process manager marks it), then verified by the registrar.
    const now = new Date().toISOString();
    const corrected: AuditFindingCommand = { type: 'MarkCorrectionDone', actor: SYSTEM, now, findingId: first.body.id, taskingId: 'correction-e2e', round: 0 };
    const context = { commandId: randomUUID(), actor: SYSTEM, correlationId: randomUUID(), now };
    expect((await handleCommand(store, { streamId: `finding-${first.body.id}`, decider: auditFindingDecider, command: corrected, context })).events).toHaveLength(1);
    const verified = await http.post<{ position: string }>(`/api/audit-findings/${first.body.id}/verification`, TOKENS.registrar, { outcome: 'verified' });
    expect(verified.status).toBe(200);

    const at = `position=${verified.body.position}`;
    const findings = async (query: string, who: Who = 'registrar'): Promise<List<FindingView>> => {
      const reply = await get<List<FindingView>>(`/api/audit-findings?${query}`, who);
      expect({ query, who, status: reply.status }).toEqual({ query, who, status: 200 });
      return reply.body;
    };
    const mine = (answer: List<FindingView>): string[] => ids(answer).filter((id) => [first.body.id, second.body.id].includes(id));
    expect(mine(await findings(`lpa=herefordshire&limit=1000&${at}`))).toEqual([first.body.id, second.body.id]);
    expect(mine(await findings(`lpa=herefordshire&status=verified&limit=1000&${at}`))).toEqual([first.body.id]);
    expect(mine(await findings(`status=awaiting-correction&status=corrected&limit=1000&${at}`))).toEqual([second.body.id]);
    expect((await findings(`lpa=shropshire&limit=1000&${at}`)).items.every((item) => item.lpa === 'shropshire')).toBe(true);
    expect((await findings(`lpa=herefordshire&status=verified&limit=1000&${at}`)).items.find((item) => item.id === first.body.id)).toMatchObject({ status: 'verified', revision: 2 });
    expect(mine(await findings(`lpa=herefordshire&asOf=${before}&limit=1000`))).toEqual([]);
    expect(mine(await findings(`status=awaiting-correction&asOf=${beforeVerification}&limit=1000`))).toEqual([first.body.id, second.body.id]);
    for (const who of ['board', 'lead'] as const) expect(await findings(`lpa=herefordshire&limit=1000&${at}`, who)).toEqual(await findings(`lpa=herefordshire&limit=1000&${at}`));
    for (const who of ['intelligence', 'shropshire', 'admin'] as const) expectProblem(await get('/api/audit-findings', who), 403);
    expectProblem(await get('/api/audit-findings?status=open&lpa=X', 'board'), 400, ['lpa', 'status']);

    // The board's count of open findings: one more in Herefordshire (two recorded, one verified).
    const summary = (await get<Summary>(`/api/board/summary?${at}`, 'board')).body;
    expect((summary.auditFindings.openByLpa.herefordshire ?? 0) - (summaryBefore.auditFindings.openByLpa.herefordshire ?? 0)).toBe(1);
    expect(summary.auditFindings.total - summaryBefore.auditFindings.total).toBe(2);
    expect((summary.auditFindings.byStatus.verified ?? 0) - (summaryBefore.auditFindings.byStatus.verified ?? 0)).toBe(1);
    expect(summary.auditFindings.open).toBe(Object.values(summary.auditFindings.openByLpa).reduce((a, b) => a + b, 0));
  });
});

describe('GET /api/board/summary', () => {
  it('counts taskings by LPA and status, and the escalated ones, now and as of an instant; every earlier field kept', async () => {
    const lpa = 'north-worcestershire';
    const beforeIssue = await instantBetween();
    const { ids: [n1] } = await issue([lpa]);
    const { ids: [n2] } = await issue([lpa]);
    const beforeAnswers = await instantBetween();
    await deliver(n1!);
    await escalate(n2!);
    const acked = await http.post<{ position: string }>(`/api/taskings/${n1}/acknowledgement`, TOKENS.northWorcs, {});
    expect(acked.status).toBe(200);

    const summaryAt = async (query: string): Promise<Summary> => {
      const reply = await get<Summary>(`/api/board/summary?${query}`, 'board');
      expect(reply.status).toBe(200);
      return reply.body;
    };
    const none = { issued: 0, delivered: 0, acknowledged: 0, completed: 0, declined: 0, cancelled: 0 };
    const now = await summaryAt(`position=${acked.body.position}`);
    expect(now.taskings.byLpa[lpa]).toEqual({ total: 2, byStatus: { ...none, issued: 1, acknowledged: 1 }, escalated: 1 });
    expect((await summaryAt(`asOf=${beforeAnswers}`)).taskings.byLpa[lpa]).toEqual({ total: 2, byStatus: { ...none, issued: 2 }, escalated: 0 });
    expect((await summaryAt(`asOf=${beforeIssue}`)).taskings.byLpa[lpa]).toBeUndefined();

    // The whole adds up: per LPA to the total, per status to the total; the recommendation figures stay.
    const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(sum(now.taskings.byStatus)).toBe(now.taskings.total);
    expect(Object.values(now.taskings.byLpa).reduce((total, tally) => total + tally.total, 0)).toBe(now.taskings.total);
    expect(Object.values(now.taskings.byLpa).reduce((total, tally) => total + tally.escalated, 0)).toBe(now.taskings.escalated);
    expect(now.recommendations).toMatchObject({ total: expect.any(Number), byStatus: expect.any(Object), byRag: expect.any(Object), overdueActions: expect.any(Number) });
    expect(now.asOf).toMatch(/Z$/);

    // The escalated count is what `?escalated=true` lists, as of the same instant.
    const instant = await instantBetween();
    const counted = await summaryAt(`asOf=${instant}`);
    expect(counted.asOf).toBe(instant);
    expect((await list(`/api/taskings?escalated=true&limit=1000&asOf=${instant}`)).items).toHaveLength(counted.taskings.escalated);
    expectProblem(await get('/api/board/summary', 'shropshire'), 403);
  });
});
