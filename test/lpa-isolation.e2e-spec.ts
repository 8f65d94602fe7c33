/**
 * LPA isolation (issue 5, point 2; OWASP API1, broken object level authorisation), against the
 * running standalone app. Herefordshire's taskings (delivered, acknowledged, completed, declined,
 * cancelled, escalated; issued directly, for a requirement and for an audit finding) and the
 * requirement, finding and recommendation behind them are real; a Shropshire LPA user then sends
 * every route of the api (found from the source, as the access matrix finds them) with
 * Herefordshire's real ids, positions and code: in the path, in the query string (filters, a queue
 * cursor, `?asOf=` now and when a tasking was still only issued, `?position=`) and in the headers
 * (the current ETag as If-Match, a stale one, the Idempotency-Key Herefordshire used), with a valid
 * body and with an empty one. Each request is paired with the same request naming an id, position
 * or code of nothing, of the same shape and length, and the two answers must be the same (status,
 * headers, body, with the value sent written the same way in both): what the user learns of
 * another LPA's tasking is what it learns of none. Where the LPA's own code is in the path, its
 * own queue is asked with the other LPA's cursor. No answer to the Shropshire user (body or
 * headers) holds any of Herefordshire's words, ids or people it did not send itself, its own lists
 * included, which hold exactly its own tasking; and the log's head is where it was: nothing was
 * appended.
 *
 * That the ids are real is checked too: Herefordshire's own user reads each of them; and the
 * valid commands and reads on them reach the LPA check (a 404 each), not an earlier refusal.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printFigures } from './support/figures';
import { HttpClient, type Reply } from './support/http-client';
import { logHead } from './support/log-head';
import { type Person, tokensOf } from './support/people';
import { freePort, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from './support/processes';
import { allRoutes } from './support/routes';

const STANDALONE = 'dist/apps/standalone/src/main.js';
const SECRET = `lpa-isolation-${randomUUID()}`;
const DUE_AT = '2099-01-31T17:00:00Z';
const VICTIM = 'herefordshire';
const ATTACKER = 'shropshire';
/** A code of no LPA, as long as the victim's, so that the two answers' lengths compare. */
const NO_SUCH_LPA = 'z'.repeat(VICTIM.length);
/** In every text and name of the victim's, so that any of it in an answer to the attacker is found. */
const SECRET_WORD = `hereford${randomUUID().slice(0, 8)}`;

const PEOPLE = {
  lead: { sub: 'u-lead', name: 'Det Supt (strategic lead)', roles: ['strategic-lead'] },
  registrar: { sub: 'u-fcr', name: 'Force Crime Registrar', roles: ['registrar'] },
  board: { sub: 'u-board', name: 'Service Improvement Board chair', roles: ['board'] },
  victim: { sub: `u-${SECRET_WORD}`, name: `Herefordshire LPA unit ${SECRET_WORD}`, roles: ['lpa'], lpa: VICTIM },
  attacker: { sub: 'u-shrop-liu', name: 'Shropshire LPA intelligence unit', roles: ['lpa'], lpa: ATTACKER },
} as const satisfies Record<string, Person>;
const TOKEN = tokensOf(SECRET, PEOPLE);

/** What the victim's data is made of. */
const world = {
  recommendation: '',
  action: '',
  requirement: '',
  finding: '',
  /** The victim's taskings by the state each is left in (or where it came from). */
  taskings: {} as Record<string, string>,
  /** Where the victim's delivered tasking was issued in the log: a queue cursor, were it the attacker's. */
  position: '',
  /** The attacker's own tasking, the one its lists must show. */
  own: '',
  /** The ETag each of the victim's things has now. */
  etags: new Map<string, string>(),
  /** The Idempotency-Key the victim used for each of its commands, by route and tasking. */
  keys: new Map<string, string>(),
  /** When the victim's delivered tasking was issued: `?asOf=` then sees it undelivered. */
  issuedAt: '',
  /** The instant after everything was set up: `?asOf=` then sees it all. */
  asOf: '',
  /** The log's head then: `?position=` waits for nothing. */
  head: '',
};

let dataDir: string;
let app: RunningProcess;
let http: HttpClient;

async function ok<Body>(reply: Promise<Reply<Body>>): Promise<Body> {
  const answer = await reply;
  if (answer.status >= 300) throw new Error(`set-up failed: ${answer.status} ${answer.text}`);
  return answer.body;
}

async function issue(lpas: string[], overrides: Record<string, unknown> = {}): Promise<string[]> {
  const body = { lpas, title: `Check ${SECRET_WORD} premises`, instructions: `Visit ${SECRET_WORD}.`, priority: 'routine', dueAt: DUE_AT, ...overrides };
  const answer = await ok(http.post<{ taskings: Array<{ id: string }> }>('/api/taskings', TOKEN.lead, body));
  return answer.taskings.map((tasking) => tasking.id);
}

/** The victim's own command on its tasking, with an Idempotency-Key kept for the sweep. */
async function victimActs(id: string, action: string, body: Record<string, unknown>): Promise<void> {
  const key = `victim-${randomUUID()}`;
  world.keys.set(`POST /api/taskings/:id/${action} ${id}`, key);
  await ok(http.post(`/api/taskings/${id}/${action}`, TOKEN.victim, body, { 'idempotency-key': key }));
}

/** Waits until the board's view of a tasking shows `until`. */
async function waitForTasking(id: string, until: (view: { deliveredAt: string | null; escalated: boolean }) => boolean): Promise<void> {
  await waitFor(
    async () => {
      const read = await http.get<{ deliveredAt: string | null; escalated: boolean }>(`/api/taskings/${id}`, TOKEN.board);
      return read.status === 200 && until(read.body);
    },
    { what: `tasking ${id} reaching the state awaited`, process: app },
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lpa-isolation-'));
  const port = await freePort();
  // Urgent taskings escalate after a second, so that an escalated one is among the victim's.
  app = startApp(STANDALONE, { DATA_DIR: dataDir, PORT: String(port), AUTH_JWT_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: `lpa-isolation-${process.pid}`, ESCALATION_URGENT: '1s' });
  await waitForStatus(port, '/health/ready', 200, app);
  http = new HttpClient(port);

  const inspection = await ok(
    http.post<{ recommendations: Array<{ id: string }> }>('/api/inspections', TOKEN.lead, {
      id: 'stolen-freedom',
      title: 'Stolen Freedom',
      inspectorate: 'HMICFRS',
      publishedOn: '2017-10-24',
      recommendations: [{ number: 1, text: `Review ${SECRET_WORD}.`, addressee: 'forces', area: 'leadership', timescale: 'within-6-months' }],
    }),
  );
  world.recommendation = inspection.recommendations[0]!.id;
  await ok(http.post(`/api/recommendations/${world.recommendation}/assignment`, TOKEN.lead, { ownerId: 'u-di', ownerName: 'DI' }));
  world.action = (await ok(http.post<{ actionId: string }>(`/api/recommendations/${world.recommendation}/actions`, TOKEN.lead, { description: `Train ${SECRET_WORD}`, ownerId: 'u-di', dueOn: '2099-01-01', lpa: VICTIM }))).actionId;

  world.requirement = (await ok(http.post<{ id: string }>('/api/intelligence-requirements', TOKEN.lead, { title: `Car washes ${SECRET_WORD}`, priority: 'modern-slavery', questions: [`Where ${SECRET_WORD}?`], rag: 'red', rationale: SECRET_WORD }))).id;
  await ok(http.post(`/api/intelligence-requirements/${world.requirement}/refresh`, TOKEN.lead, { questions: [`Who ${SECRET_WORD}?`], rag: 'amber', rationale: SECRET_WORD, lpas: [VICTIM], dueAt: DUE_AT }));
  world.finding = (await ok(http.post<{ id: string }>('/api/audit-findings', TOKEN.registrar, { auditId: 'nrm-audit-2017', lpa: VICTIM, category: 'other', severity: 'high', finding: `Not crimed ${SECRET_WORD}.`, recordRef: '22/12345/17', correctionDueAt: DUE_AT }))).id;

  // One tasking issued directly for each state it is left in.
  for (const state of ['delivered', 'acknowledged', 'completed', 'declined', 'cancelled']) world.taskings[state] = (await issue([VICTIM]))[0]!;
  world.taskings.escalated = (await issue([VICTIM], { priority: 'urgent' }))[0]!;
  world.own = (await issue([ATTACKER], { title: 'Check the car wash', instructions: 'Visit it.' }))[0]!;

  // The taskings the policies issued: one for the refreshed requirement, one for the finding.
  for (const [kind, source] of [
    ['intelligence-requirement', world.requirement],
    ['audit-finding', world.finding],
  ] as const) {
    await waitFor(
      async () => {
        const made = (await ok(http.get<{ items: Array<{ id: string }> }>(`/api/taskings?source=${source}`, TOKEN.board))).items[0];
        if (made) world.taskings[`from ${kind}`] = made.id;
        return made !== undefined;
      },
      { what: `the tasking issued for the ${kind}`, process: app },
    );
  }
  for (const id of [...Object.values(world.taskings), world.own]) await waitForTasking(id, (view) => view.deliveredAt !== null);
  await victimActs(world.taskings.acknowledged!, 'acknowledgement', { note: `Seen ${SECRET_WORD}` });
  await victimActs(world.taskings.completed!, 'completion', { outcome: `Found ${SECRET_WORD}`, refs: ['22/54321/17'] });
  await victimActs(world.taskings.declined!, 'decline', { reason: `Not ours ${SECRET_WORD}` });
  await ok(http.post(`/api/taskings/${world.taskings.cancelled}/cancellation`, TOKEN.lead, { reason: `Superseded ${SECRET_WORD}` }));
  await waitForTasking(world.taskings.escalated, (view) => view.escalated);
  for (const id of Object.values(world.taskings)) world.etags.set(id, (await http.get(`/api/taskings/${id}`, TOKEN.victim)).headers.etag as string);
  world.etags.set(world.recommendation, (await http.get(`/api/recommendations/${world.recommendation}`, TOKEN.board)).headers.etag as string);
  world.etags.set(world.requirement, (await http.get(`/api/intelligence-requirements/${world.requirement}`, TOKEN.board)).headers.etag as string);
  const issued = await ok(http.get<{ items: Array<{ position: string; recordedAt: string }> }>(`/api/history?stream=tasking-${world.taskings.delivered}&type=TaskingIssued`, TOKEN.board));
  world.position = issued.items[0]!.position;
  world.issuedAt = issued.items[0]!.recordedAt;
  world.asOf = new Date().toISOString();
  world.head = String(await logHead(dataDir));
  await new Promise((resolve) => setTimeout(resolve, 5));
}, 90_000);

afterAll(async () => {
  http?.close();
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An id of the same shape and length as `id`, of nothing: its digits and its letters a-f drawn anew. */
function madeUp(id: string): string {
  return id.replace(/[0-9]/g, () => String(randomInt(10))).replace(/[a-f]/g, () => 'abcdef'[randomInt(6)]!);
}

/** A victim's value in a request (`real`), and what stands in for it in the made-up twin (`fake`). */
interface Swap {
  readonly real: string;
  readonly fake: string;
}
type Side = keyof Swap;

/** Which of the victim's things a route's `:id` names. */
type IdKind = 'tasking' | 'recommendation' | 'requirement' | 'finding' | 'none';

interface Sweep {
  readonly idKind: IdKind;
  /** Query strings naming a victim's value: `{lpa}`, `{tasking}`, `{requirement}`, `{finding}`, `{position}`. */
  readonly queries?: readonly string[];
  /** A history, which reads as of now only: `?position=` in place of `?asOf=`. */
  readonly now?: true;
  /** A valid body (POST). */
  readonly body?: Record<string, unknown>;
  /** An LPA user's route on a tasking: a plain valid request with the other LPA's id must reach the LPA check (404). */
  readonly lpaRoute?: true;
}

/**
 * Every route, and where the victim's values go in it. The table must name exactly the routes the
 * source declares, so that a route added later is swept too.
 */
const SWEEP: Readonly<Record<string, Sweep>> = {
  'POST /api/inspections': { idKind: 'none', body: { id: 'stolen-freedom', title: 'T', inspectorate: 'HMICFRS', publishedOn: '2017-10-24', recommendations: [{ number: 1, text: 'x', addressee: 'forces', area: 'leadership', timescale: 'immediately' }] } },
  'POST /api/recommendations/:id/assignment': { idKind: 'recommendation', body: { ownerId: 'u-x', ownerName: 'X' } },
  'POST /api/recommendations/:id/actions': { idKind: 'recommendation', body: { description: 'd', ownerId: 'u-x', dueOn: '2099-01-01', lpa: ATTACKER } },
  'POST /api/recommendations/:id/actions/:actionId/progress': { idKind: 'recommendation', body: { status: 'in-progress' } },
  'POST /api/recommendations/:id/due-date': { idKind: 'recommendation', body: { dueOn: '2099-06-01', reason: 'r' } },
  'POST /api/recommendations/:id/closure-proposal': { idKind: 'recommendation', body: { evidence: 'e' } },
  'POST /api/recommendations/:id/closure-decision': { idKind: 'recommendation', body: { decision: 'reject', reason: 'r' } },
  'POST /api/recommendations/:id/reopening': { idKind: 'recommendation', body: { reason: 'r' } },
  'POST /api/intelligence-requirements': { idKind: 'none', body: { title: 't', priority: 'modern-slavery', questions: ['q'], rag: 'red', rationale: 'r' } },
  'POST /api/intelligence-requirements/:id/refresh': { idKind: 'requirement', body: { questions: ['q'], rag: 'green', rationale: 'r', lpas: [ATTACKER], dueAt: DUE_AT } },
  'POST /api/audit-findings': { idKind: 'none', body: { auditId: 'a-1', lpa: VICTIM, category: 'other', severity: 'low', finding: 'f', correctionDueAt: DUE_AT } },
  'POST /api/audit-findings/:id/verification': { idKind: 'finding', body: { outcome: 'verified' } },
  'POST /api/taskings': { idKind: 'none', body: { lpas: [VICTIM], title: 't', instructions: 'i', priority: 'routine', dueAt: DUE_AT } },
  'POST /api/taskings/:id/acknowledgement': { idKind: 'tasking', body: { note: 'n' }, lpaRoute: true },
  'POST /api/taskings/:id/completion': { idKind: 'tasking', body: { outcome: 'o', refs: ['22/1/17'] }, lpaRoute: true },
  'POST /api/taskings/:id/decline': { idKind: 'tasking', body: { reason: 'r' }, lpaRoute: true },
  'POST /api/taskings/:id/cancellation': { idKind: 'tasking', body: { reason: 'r' } },
  'POST /api/lpas': { idKind: 'none', body: { code: VICTIM, name: 'Herefordshire', activeFrom: '2099-01-01' } },
  'GET /api/recommendations': { idKind: 'none' },
  'GET /api/recommendations/:id': { idKind: 'recommendation' },
  'GET /api/recommendations/:id/history': { idKind: 'recommendation', now: true },
  'GET /api/intelligence-requirements/:id': { idKind: 'requirement' },
  'GET /api/audit-findings': { idKind: 'none', queries: ['lpa={lpa}'] },
  'GET /api/taskings': { idKind: 'none', queries: ['lpa={lpa}', 'lpa={lpa}&status=delivered', 'source={requirement}', 'source={finding}', 'source={requirement}&asOf={asOf}'] },
  'GET /api/taskings/:id': { idKind: 'tasking', lpaRoute: true },
  'GET /api/taskings/:id/history': { idKind: 'tasking', now: true, lpaRoute: true },
  'GET /api/lpas/:code/taskings': { idKind: 'none', queries: ['after={position}', 'after={position}&asOf={asOf}'] },
  'GET /api/board/summary': { idKind: 'none' },
  'GET /api/history': { idKind: 'none', queries: ['stream=tasking-{tasking}', 'stream=audit-finding-{finding}'] },
  'GET /api/lpas': { idKind: 'none' },
  'GET /metrics': { idKind: 'none' },
  'GET /health/live': { idKind: 'none' },
  'GET /health/ready': { idKind: 'none' },
};

/** One request as the attacker, in two versions: with the victim's values, and with made-up ones. */
interface Probe {
  readonly label: string;
  readonly method: string;
  readonly path: Readonly<Record<Side, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly swaps: readonly Swap[];
  /** The status the victim's version must get: a valid command or read on a tasking reaches the LPA check. */
  readonly expect?: number;
}

function idsOf(kind: IdKind): string[] {
  switch (kind) {
    case 'tasking':
      return Object.values(world.taskings);
    case 'recommendation':
      return [world.recommendation];
    case 'requirement':
      return [world.requirement];
    case 'finding':
      return [world.finding];
    case 'none':
      return [];
  }
}

const swapOf = (real: string): Swap => ({ real, fake: madeUp(real) });

/** A position as long as `real` that is no cursor of the attacker's queue: where none of its taskings was issued. */
function noCursorLike(real: string): string {
  for (let position = 10 ** real.length - 1; position >= 10 ** (real.length - 1); position -= 1) {
    if (String(position) !== real && String(position) !== ownPosition) return String(position);
  }
  throw new Error(`no position as long as ${real} but it`);
}
/** Where the attacker's own tasking was issued: its one cursor. */
let ownPosition = '';

/**
 * Every probe of one route: for each of the victim's ids its `:id` can name (and, for `:code`, the
 * victim's code and the attacker's own), each query string (none, `?asOf=` now and when a tasking
 * was issued or `?position=`, and those naming a victim's value), each set of headers (none; the
 * victim's thing's current ETag as If-Match; a stale If-Match; the Idempotency-Key the victim used,
 * or a fresh one with the empty body), each body (valid, empty).
 */
function probes(route: string, sweep: Sweep): Probe[] {
  const [method, template] = route.split(' ') as [string, string];
  const action = swapOf(world.action);
  const named: Record<string, Swap> = {
    lpa: { real: VICTIM, fake: NO_SUCH_LPA },
    tasking: swapOf(world.taskings.delivered!),
    requirement: swapOf(world.requirement),
    finding: swapOf(world.finding),
    position: { real: world.position, fake: noCursorLike(world.position) },
  };
  const times = sweep.now ? [`position=${world.head}`] : [`asOf=${world.asOf}`, `asOf=${world.issuedAt}`];
  const queries = method === 'GET' ? ['', ...times, ...(sweep.queries ?? []).map((query) => query.replaceAll('{asOf}', world.asOf))] : [''];
  const codes: Array<Swap | undefined> = template.includes(':code') ? [named.lpa, { real: ATTACKER, fake: ATTACKER }] : [undefined];
  const ids = sweep.idKind === 'none' ? [undefined] : idsOf(sweep.idKind).map(swapOf);
  return codes.flatMap((code) =>
    ids.flatMap((id) => {
      const etag = id && world.etags.get(id.real);
      const victimKey = (id && world.keys.get(`${route} ${id.real}`)) ?? `victim-${randomUUID()}`;
      const headerSets: Array<(body: unknown) => Record<string, string>> =
        method === 'POST'
          ? [() => ({}), ...(etag ? [() => ({ 'if-match': etag })] : []), () => ({ 'if-match': '"0"' }), (body) => ({ 'idempotency-key': body === sweep.body ? victimKey : `fresh-${randomUUID()}` })]
          : [() => ({})];
      const bodies = method === 'POST' ? [sweep.body, {}] : [undefined];
      return queries.flatMap((query) => {
        const inQuery = Object.keys(named).filter((name) => query.includes(`{${name}}`));
        const swaps = [...(id ? [id] : []), ...(template.includes(':actionId') ? [action] : []), ...(code && code.real !== code.fake ? [code] : []), ...inQuery.map((name) => named[name]!)];
        const pathOf = (side: Side): string => {
          const path = template
            .replace(':id', id?.[side] ?? '')
            .replace(':actionId', action[side])
            .replace(':code', code?.[side] ?? '');
          const filled = inQuery.reduce((text, name) => text.replaceAll(`{${name}}`, named[name]![side]), query);
          return filled === '' ? path : `${path}?${filled}`;
        };
        const path = { real: pathOf('real'), fake: pathOf('fake') };
        return headerSets.flatMap((headersFor) =>
          bodies.map((body) => {
            const headers = headersFor(body);
            const plain = sweep.lpaRoute === true && query === '' && Object.keys(headers).length === 0 && body === sweep.body;
            return { label: `${method} ${path.real} ${JSON.stringify(headers)} ${body === undefined ? '' : JSON.stringify(body)}`, method, path, headers, body, swaps, ...(plain ? { expect: 404 } : {}) };
          }),
        );
      });
    }),
  );
}

/** An answer with the values sent written as placeholders, and the one header that differs by request (Date) left out. */
function comparable(reply: Reply, swaps: readonly Swap[], side: Side): { status: number; headers: Record<string, unknown>; text: string } {
  const { date: _date, ...headers } = reply.headers;
  let text = reply.text;
  swaps.forEach((swap, n) => {
    text = text.replaceAll(swap[side], `<value ${n}>`);
  });
  return { status: reply.status, headers, text };
}

/** The victim's words, people and ids in an answer (body and headers), but for those the request itself sent. */
function victimTraces(reply: Reply, sent: readonly string[]): string[] {
  const text = `${JSON.stringify(reply.headers)}\n${reply.text}`;
  const ids = [world.recommendation, world.action, world.requirement, world.finding, ...Object.values(world.taskings)].filter((id) => !sent.includes(id));
  return [SECRET_WORD, ...ids].filter((trace) => text.includes(trace));
}

describe("another LPA's things, as an LPA user", () => {
  it('sweeps the routes the source declares, each of them', async () => {
    const declared = (await allRoutes()).map((route) => `${route.method} ${route.path}`).sort();
    expect(declared).toEqual(Object.keys(SWEEP).sort());
  });

  it('are real: their own LPA reads each of them, and pages its queue from one', async () => {
    for (const [state, id] of Object.entries(world.taskings)) {
      const read = await http.get<{ lpa: string; status: string }>(`/api/taskings/${id}`, TOKEN.victim);
      expect({ state, status: read.status, lpa: read.body.lpa }).toEqual({ state, status: 200, lpa: VICTIM });
      expect(read.text).toContain(SECRET_WORD);
      expect(read.headers.etag).toBe(world.etags.get(id));
    }
    for (const id of [world.recommendation, world.requirement]) expect(world.etags.get(id)).toMatch(/^"\d+"$/);
    expect(new Set(Object.values(world.taskings)).size).toBe(8);
    expect((await http.get(`/api/taskings/${world.taskings.escalated}`, TOKEN.victim)).text).toContain('"escalated":true');
    expect((await http.get(`/api/taskings/${world.taskings.delivered}?asOf=${world.issuedAt}`, TOKEN.victim)).text).toContain('"status":"issued"');
    expect((await http.get(`/api/lpas/${VICTIM}/taskings?after=${world.position}`, TOKEN.victim)).status).toBe(200);
  });

  it('answer exactly as things that do not exist, on every route, and say nothing of the other LPA; nothing is appended', async () => {
    const headBefore = await logHead(dataDir);
    ownPosition = (await http.get<{ items: Array<{ position: string }> }>(`/api/history?stream=tasking-${world.own}&type=TaskingIssued`, TOKEN.board)).body.items[0]!.position;
    const leaks: string[] = [];
    const unreached: string[] = [];
    const byStatus = new Map<number, number>();
    let pairs = 0;
    let fiveHundreds = 0;
    const routes = Object.entries(SWEEP);
    for (const [route, sweep] of routes) {
      for (const probe of probes(route, sweep)) {
        const send = (side: Side): Promise<Reply> =>
          http.send(probe.method, probe.path[side], { token: TOKEN.attacker, headers: probe.headers, ...(probe.body === undefined ? {} : { json: probe.body }) });
        const real = await send('real');
        const fake = await send('fake');
        pairs += 1;
        byStatus.set(real.status, (byStatus.get(real.status) ?? 0) + 1);
        if (real.status >= 500 || fake.status >= 500) fiveHundreds += 1;
        if (probe.expect !== undefined && real.status !== probe.expect) unreached.push(`${probe.label}: ${real.status}, expected ${probe.expect}`);
        const traces = victimTraces(real, probe.swaps.map((swap) => swap.real));
        if (traces.length > 0) leaks.push(`${probe.label}: the answer holds ${traces.join(', ')}`);
        const [a, b] = [comparable(real, probe.swaps, 'real'), comparable(fake, probe.swaps, 'fake')];
        if (JSON.stringify(a) !== JSON.stringify(b)) leaks.push(`${probe.label}: ${a.status} ${a.text.slice(0, 200)} ≠ ${b.status} ${b.text.slice(0, 200)}`);
      }
    }
    const headAfter = await logHead(dataDir);
    const statuses = [...byStatus].sort(([x], [y]) => x - y).map(([status, count]) => `${count} × ${status}`).join(', ');
    printFigures(
      `lpa isolation: ${pairs} requests with another LPA's real ids, positions and code paired with made-up ones (${routes.length} routes, ${Object.keys(world.taskings).length} taskings; ${statuses}), ${leaks.length} cross-LPA leaks, ${fiveHundreds} × 5xx; log head ${headBefore} before, ${headAfter} after`,
    );
    expect(leaks).toEqual([]);
    expect(unreached).toEqual([]);
    expect(fiveHundreds).toBe(0);
    expect(headAfter).toBe(headBefore);
  }, 120_000);

  it("leave no trace in the LPA's own lists, filtered or as of any instant, which hold exactly its own", async () => {
    const lists: Array<[path: string, own: readonly string[]]> = [
      ['/api/taskings?limit=1000', [world.own]],
      ...['issued', 'acknowledged', 'completed', 'declined', 'cancelled'].map((status): [string, readonly string[]] => [`/api/taskings?status=${status}`, []]),
      ['/api/taskings?status=delivered', [world.own]],
      ['/api/taskings?escalated=true', []],
      ['/api/taskings?escalated=false', [world.own]],
      ['/api/taskings?sourceKind=intelligence-requirement', []],
      ['/api/taskings?sourceKind=audit-finding', []],
      [`/api/taskings?lpa=${ATTACKER}`, [world.own]],
      [`/api/taskings?asOf=${world.asOf}`, [world.own]],
      [`/api/taskings?asOf=${world.issuedAt}`, []],
      [`/api/lpas/${ATTACKER}/taskings`, [world.own]],
      [`/api/lpas/${ATTACKER}/taskings?asOf=${world.asOf}`, [world.own]],
    ];
    const leaks: string[] = [];
    for (const [path, own] of lists) {
      const reply = await http.get<{ items: Array<{ id: string }>; next: string | null }>(path, TOKEN.attacker);
      expect({ path, status: reply.status, ids: reply.body.items?.map((item) => item.id), next: reply.body.next }).toEqual({ path, status: 200, ids: own, next: null });
      const traces = victimTraces(reply, []);
      if (traces.length > 0) leaks.push(`${path}: ${traces.join(', ')}`);
    }
    for (const path of [`/api/taskings/${world.own}`, `/api/taskings/${world.own}/history`, '/api/lpas']) {
      const reply = await http.get(path, TOKEN.attacker);
      expect({ path, status: reply.status }).toEqual({ path, status: 200 });
      const traces = victimTraces(reply, []);
      if (traces.length > 0) leaks.push(`${path}: ${traces.join(', ')}`);
    }
    printFigures(`lpa isolation: ${lists.length + 3} of the LPA's own lists and things read, ${leaks.length} cross-LPA leaks`);
    expect(leaks).toEqual([]);
  });
});
