/**
 * Bad input, generated (issue 5, point 4), against the running standalone app: for every command
 * route, bodies made from a valid one by fast-check (a field dropped, an extra field, a field of
 * the wrong type or replaced by a hostile value: `__proto__` and `constructor` keys, deep nesting,
 * huge arrays and strings, control, zero-width and right-to-left characters, lone surrogates,
 * impossible dates, injection-looking strings), and bodies that are not objects at all. Whatever
 * comes: never a 5xx, never a stack trace or an internal name in the body, and a 400 always says
 * which fields (a non-empty `errors`). Valid text, hostile-looking characters and all, is stored and
 * read back verbatim (taskings, intelligence requirements).
 *
 * FUZZ_RUNS sets the runs per route (default 1000, as CI runs it); `npm run fuzz` runs more.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Role } from '@app/domain';
import { HttpClient, type Reply, tokenFor } from './support/http-client';
import { freePort, type RunningProcess, startApp, stopAll, waitForStatus } from './support/processes';

const STANDALONE = 'dist/apps/standalone/src/main.js';
const SECRET = `fuzz-${randomUUID()}`;
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const DUE_AT = '2099-01-31T17:00:00Z';

const token = (role: Role, lpa?: string): string => tokenFor(SECRET, { sub: `u-fuzz-${role}`, name: `Fuzz ${role}`, roles: [role], ...(lpa ? { lpa } : {}) });
const AS = {
  lead: token('strategic-lead'),
  board: token('board'),
  registrar: token('registrar'),
  admin: token('admin'),
  shropshire: token('lpa', 'shropshire'),
} as const;

/** Strings a hostile or careless client sends. */
const HOSTILE: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\u200b\u200c\u200d\ufeff',
  '\u202e\u2066evil\u2069',
  '\ud800',
  'x\udfffy',
  '__proto__',
  'constructor',
  "'; DROP TABLE events; --",
  '{"$gt": ""}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '2017-02-30',
  '2017-13-01T00:00:00Z',
  '9999999-01-01',
  '-1',
  'NaN',
  'x'.repeat(300_000),
];

/**
 * Stands for a value nested 5,000 levels deep, written into the JSON text as it is sent: built as
 * an object, it would overflow the stack of this process (JSON.stringify, fast-check's reports).
 */
const DEEP = '\u0000deep nesting\u0000';
const DEEP_JSON = `${'{"a":'.repeat(5_000)}"bottom"${'}'.repeat(5_000)}`;

/** The JSON text of a generated body, DEEP written out. */
function jsonOf(body: unknown): string {
  return JSON.stringify(body).replaceAll(JSON.stringify(DEEP), DEEP_JSON);
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.constant(Array.from({ length: 20_000 }, () => 'x')),
  fc.constant(DEEP),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown),
  fc.object({ maxDepth: 2 }),
);

/** Bodies made from `valid`: each field kept, dropped or made hostile, maybe an extra one; or no object at all. */
function bodies(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  const mutated = fc
    .record(
      Object.fromEntries(fields.map((field) => [field, fc.oneof({ weight: 3, arbitrary: fc.constant({ keep: true }) }, fc.constant({ drop: true }), hostileValue.map((value) => ({ value })))])),
    )
    .chain((choices) =>
      fc.option(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'extra', 'id ', 'Title'), hostileValue), { nil: undefined }).map((extra) => {
        const body: Record<string, unknown> = {};
        for (const field of fields) {
          const choice = choices[field] as { keep?: true; drop?: true; value?: unknown };
          if (choice.keep) body[field] = valid[field];
          else if (!choice.drop) body[field] = choice.value;
        }
        // defineProperty, so that a `__proto__` key is sent as a key, not as the prototype.
        if (extra) Object.defineProperty(body, extra[0], { value: extra[1], enumerable: true, configurable: true, writable: true });
        return body;
      }),
    );
  return fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: hostileValue });
}

interface Problem {
  readonly status: number;
  readonly errors?: ReadonlyArray<{ field: string; message: string }>;
}

let dataDir: string;
let app: RunningProcess;
let http: HttpClient;
const targets = { recommendation: '', actionId: '', requirement: '', finding: '', tasking: '' };
const figures: string[] = [];
let fiveHundreds = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fuzz-e2e-'));
  const port = await freePort();
  app = startApp(STANDALONE, { DATA_DIR: dataDir, PORT: String(port), AUTH_JWT_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: `fuzz-e2e-${process.pid}` });
  await waitForStatus(port, '/health/ready', 200, app);
  http = new HttpClient(port);
  // Something for each route with an id to act on.
  const inspection = await http.post<{ recommendations: Array<{ id: string }> }>('/api/inspections', AS.lead, {
    id: 'fuzz-inspection',
    title: 'Stolen Freedom',
    inspectorate: 'HMICFRS',
    publishedOn: '2017-10-24',
    recommendations: [{ number: 1, text: 'Forces should review their response.', addressee: 'forces', area: 'leadership', timescale: 'within-6-months' }],
  });
  targets.recommendation = inspection.body.recommendations[0]!.id;
  await http.post(`/api/recommendations/${targets.recommendation}/assignment`, AS.lead, { ownerId: 'u-di', ownerName: 'DI' });
  targets.actionId = (await http.post<{ actionId: string }>(`/api/recommendations/${targets.recommendation}/actions`, AS.lead, { description: 'Train staff', ownerId: 'u-di', dueOn: '2099-01-01' })).body.actionId;
  targets.requirement = (await http.post<{ id: string }>('/api/intelligence-requirements', AS.lead, { title: 'Labour exploitation', priority: 'modern-slavery', questions: ['Where?'], rag: 'amber', rationale: 'Little known.' })).body.id;
  targets.finding = (await http.post<{ id: string }>('/api/audit-findings', AS.registrar, { auditId: 'audit-2017', lpa: 'shropshire', category: 'other', severity: 'low', finding: 'Late.', correctionDueAt: DUE_AT })).body.id;
  targets.tasking = (await http.post<{ taskings: Array<{ id: string }> }>('/api/taskings', AS.lead, { lpas: ['shropshire'], title: 'Check', instructions: 'Go.', priority: 'routine', dueAt: DUE_AT })).body.taskings[0]!.id;
  for (const id of Object.values(targets)) expect(id).toBeTruthy();
}, 60_000);

afterAll(async () => {
  http?.close();
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`fuzz: ${figures.join('; ')}; ${fiveHundreds} × 5xx`);
});

/** Every command route, with who may call it and a valid body to start from. */
const ROUTES: ReadonlyArray<{ readonly path: () => string; readonly as: string; readonly valid: () => Record<string, unknown> }> = [
  { path: () => '/api/inspections', as: AS.lead, valid: () => ({ id: 'fuzz-another', title: 'T', inspectorate: 'HMICFRS', publishedOn: '2017-10-24', recommendations: [{ number: 1, text: 'x', addressee: 'forces', area: 'leadership', timescale: 'immediately' }] }) },
  { path: () => `/api/recommendations/${targets.recommendation}/assignment`, as: AS.lead, valid: () => ({ ownerId: 'u-di', ownerName: 'DI', note: 'n' }) },
  { path: () => `/api/recommendations/${targets.recommendation}/actions`, as: AS.lead, valid: () => ({ description: 'd', ownerId: 'u-di', dueOn: '2099-01-01', lpa: 'shropshire' }) },
  { path: () => `/api/recommendations/${targets.recommendation}/actions/${targets.actionId}/progress`, as: AS.lead, valid: () => ({ status: 'in-progress', note: 'n' }) },
  { path: () => `/api/recommendations/${targets.recommendation}/due-date`, as: AS.lead, valid: () => ({ dueOn: '2099-06-01', reason: 'r' }) },
  { path: () => `/api/recommendations/${targets.recommendation}/closure-proposal`, as: AS.lead, valid: () => ({ evidence: 'e' }) },
  { path: () => `/api/recommendations/${targets.recommendation}/closure-decision`, as: AS.board, valid: () => ({ decision: 'reject', reason: 'r' }) },
  { path: () => `/api/recommendations/${targets.recommendation}/reopening`, as: AS.board, valid: () => ({ reason: 'r' }) },
  { path: () => '/api/intelligence-requirements', as: AS.lead, valid: () => ({ title: 't', priority: 'modern-slavery', questions: ['q'], rag: 'red', rationale: 'r' }) },
  { path: () => `/api/intelligence-requirements/${targets.requirement}/refresh`, as: AS.lead, valid: () => ({ questions: ['q'], rag: 'green', rationale: 'r', lpas: ['shropshire'], dueAt: DUE_AT }) },
  { path: () => '/api/audit-findings', as: AS.registrar, valid: () => ({ auditId: 'a-1', lpa: 'shropshire', category: 'other', severity: 'low', finding: 'f', recordRef: '22/12345/17', correctionDueAt: DUE_AT }) },
  { path: () => `/api/audit-findings/${targets.finding}/verification`, as: AS.registrar, valid: () => ({ outcome: 'verified', note: 'n' }) },
  { path: () => '/api/taskings', as: AS.lead, valid: () => ({ lpas: ['herefordshire'], title: 't', instructions: 'i', priority: 'routine', dueAt: DUE_AT, source: { kind: 'intelligence-requirement', id: 'r-1' } }) },
  { path: () => `/api/taskings/${targets.tasking}/acknowledgement`, as: AS.shropshire, valid: () => ({ note: 'n' }) },
  { path: () => `/api/taskings/${targets.tasking}/completion`, as: AS.shropshire, valid: () => ({ outcome: 'o', refs: ['22/1/17'] }) },
  { path: () => `/api/taskings/${targets.tasking}/decline`, as: AS.shropshire, valid: () => ({ reason: 'r' }) },
  { path: () => `/api/taskings/${targets.tasking}/cancellation`, as: AS.lead, valid: () => ({ reason: 'r' }) },
  { path: () => '/api/lpas', as: AS.admin, valid: () => ({ code: 'fuzz-lpa', name: 'Fuzz', activeFrom: '2099-01-01' }) },
];

/** What must hold of every answer, whatever was sent; said in a line (the body sent may be huge). */
function checkAnswer(reply: Reply<Problem>): void {
  if (reply.status >= 500) fiveHundreds += 1;
  const wrong =
    reply.status >= 500
      ? 'a 5xx'
      : /\n\s+at |node_modules|TypeError|ReferenceError|SqliteError|\.ts:\d+/.test(reply.text)
        ? 'internals in the body'
        : reply.status === 400 && (reply.body.errors?.length ?? 0) === 0
          ? 'a 400 without field errors'
          : undefined;
  if (wrong) throw new Error(`${wrong}: ${reply.status} ${reply.text.slice(0, 300)}`);
}

describe.each(ROUTES.map((route) => [route.path.toString().replace(/^\(\) => /, ''), route] as const))('POST %s', (_name, route) => {
  it(`never answers 5xx nor leaks internals, and says which fields are wrong (${RUNS} runs)`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(bodies(route.valid()), async (body) => {
        const reply = await http.send<Problem>('POST', route.path(), { token: route.as, body: jsonOf(body), headers: { 'content-type': 'application/json' } });
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        checkAnswer(reply);
      }),
      { numRuns: RUNS },
    );
    figures.push(`${route.path()} ${[...statuses].map(([status, count]) => `${count}×${status}`).join(' ')}`);
  }, 600_000);
});

describe('valid text, whatever its characters', () => {
  /** Text a person may well type: letters of any script, marks, emoji, RTL, tabs and line breaks; well-formed, no NUL. */
  const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((value) => value.trim() !== '' && !value.includes('\u0000'));

  it(`stores a tasking's title and instructions and reads them back verbatim (${Math.ceil(RUNS / 10)} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(text, text, async (title, instructions) => {
        const issued = await http.post<{ taskings: Array<{ id: string }> }>('/api/taskings', AS.lead, { lpas: ['south-worcestershire'], title, instructions, priority: 'routine', dueAt: DUE_AT });
        expect(issued.status).toBe(201);
        const read = await http.get<{ title: string; instructions: string }>(`/api/taskings/${issued.body.taskings[0]!.id}`, AS.board);
        expect(read.body).toMatchObject({ title, instructions });
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  }, 600_000);

  it(`stores a requirement's questions and rationale and reads them back verbatim (${Math.ceil(RUNS / 10)} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 5 }), text, async (questions, rationale) => {
        const raised = await http.post<{ id: string }>('/api/intelligence-requirements', AS.lead, { title: 'Fuzzed', priority: 'modern-slavery', questions, rag: 'amber', rationale });
        expect(raised.status).toBe(201);
        const read = await http.get<{ questions: string[]; rationale: string }>(`/api/intelligence-requirements/${raised.body.id}`, AS.board);
        expect(read.body).toMatchObject({ questions, rationale });
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  }, 600_000);
});
