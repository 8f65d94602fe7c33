/**
 * Bad input, generated (issue 5, point 4), against the running standalone app: for every command
 * route, bodies made from a valid one by fast-check (a field dropped, an extra field, a field of
 * the wrong type or replaced by a hostile value: `__proto__` and `constructor` keys, deep nesting,
 * huge arrays and strings, control, zero-width and right-to-left characters, lone surrogates,
 * impossible dates, injection-looking strings), and bodies that are not objects at all. Whatever
 * comes: never a 5xx, never a stack trace or an internal name in the body, and a 400 always says
 * which fields (a non-empty `errors`). And for every command route, valid bodies, generated (text
 * of any script, white space and controls and all; optional fields present or not; every allowed
 * value, date and form of instant), are taken and stored verbatim: each field sent reads back the
 * same from the event appended (GET /api/history) and from the route's read model.
 *
 * FUZZ_RUNS sets the runs per route (default 1000, as CI runs it; a tenth of them for the valid
 * bodies, each of which takes a target of its own); `npm run fuzz` runs more.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  ADDRESSEES,
  AUDIT_FINDING_CATEGORIES,
  AUDIT_FINDING_SEVERITIES,
  type AuditFindingStatus,
  CLOSURE_DECISIONS,
  type ClosureDecision,
  LPA_REGISTER_STREAM,
  type Lpa,
  PROGRESS_STATUSES,
  RECOMMENDATION_STATUSES,
  REQUIREMENT_RAGS,
  type RecommendationStatus,
  type Role,
  TASKING_PRIORITIES,
  TASKING_SOURCE_KINDS,
  TIMESCALES,
  VERIFICATION_OUTCOMES,
  type VerificationOutcome,
  WEST_MERCIA_2017_LPAS,
} from '@app/domain';
import { printFigures } from './support/figures';
import { HttpClient, type Reply, tokenFor } from './support/http-client';
import { freePort, type RunningProcess, startApp, stopAll, waitFor, waitForStatus } from './support/processes';

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
/** Each route's answers to generated bodies, by status (printed for the curious). */
const answersByRoute: string[] = [];
/** Every answer to a generated body, by status: the figures CI shows. */
const answers = new Map<number, number>();
let fiveHundreds = 0;
/** The routes and valid bodies checked (shrinking's runs included), and the bodies not taken or not read back verbatim. */
const verbatim = { routes: 0, bodies: 0, mismatches: 0 };

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
  console.log(`fuzz, by route: ${answersByRoute.join('; ')}`);
  const sent = [...answers.values()].reduce((sum, count) => sum + count, 0);
  const byStatus = [...answers].sort(([a], [b]) => a - b).map(([status, count]) => `${count} × ${status}`);
  printFigures(
    `fuzz: ${sent} generated bodies over ${answersByRoute.length} command routes (${RUNS} runs each): ${byStatus.join(', ')}; ${fiveHundreds} × 5xx; ` +
      `verbatim: ${verbatim.bodies} valid bodies over ${verbatim.routes} routes, ${verbatim.mismatches} mismatches`,
  );
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
    answersByRoute.push(`${route.path()} ${[...statuses].map(([status, count]) => `${count}×${status}`).join(' ')}`);
    for (const [status, count] of statuses) answers.set(status, (answers.get(status) ?? 0) + count);
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------
// Valid bodies, stored verbatim: for every command route, bodies made valid by construction (the
// rules of the DTOs and of libs/domain), each sent, taken, and read back field by field from the
// event it appended and from the route's read model.

/**
 * What fast-check's graphemes (letters of any script, marks, emoji, right-to-left scripts) never
 * hold, and text as people and their systems write it does: white space at either end, tabs, line
 * breaks, joiners, direction marks and isolates, controls. Valid all (WellFormedStringsPipe).
 */
const TYPED = ['\t', '\n', '\r\n', '\r', ' ', '\u00a0', '\u2028', '\u200b', '\u200c', '\u200d', '\ufeff', '\u200e', '\u200f', '\u202e', '\u2066', '\u2069', '\u0007', '\u001b'];

/** Valid text: well-formed, no NUL, not blank (the domain's `check.text`), as characters come. */
const text = fc
  .string({ unit: fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }, fc.constantFrom(...TYPED)), minLength: 1, maxLength: 200 })
  .filter((value) => value.trim() !== '' && !value.includes('\u0000'));

/**
 * `text` within a field's MaxLength (the DTOs: 100 for ids, 200 or 400 for names and titles).
 * class-validator counts characters (code points, less variation selectors), never more than the
 * UTF-16 code units `length` counts, so a string of at most `maxLength` code units is within it,
 * whatever its characters.
 */
const textUpTo = (maxLength: number): fc.Arbitrary<string> => text.filter((value) => value.length <= maxLength);

/** Codes, client-chosen ids and labels (API.md, Values): lowercase kebab-case. */
const code = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/);

/** A generated code made unique (a UUID is kebab-case too), where the id names what can be created once: an inspection, a requirement, an LPA. */
const unique = (generated: string): string => `${generated}-${randomUUID()}`;

const MS_PER_DAY = 86_400_000;

/** A calendar date, YYYY-MM-DD (API.md), from `min` to `max`: the domain's calendar has the years 0001-9999. */
const date = (min = '0001-01-01', max = '9999-12-31'): fc.Arbitrary<string> =>
  fc.integer({ min: Date.parse(min) / MS_PER_DAY, max: Date.parse(max) / MS_PER_DAY }).map((day) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10));

const twoDigits = (max: number): fc.Arbitrary<string> => fc.integer({ min: 0, max }).map((value) => String(value).padStart(2, '0'));

/**
 * An instant later than any command's time, as a due time must be, written in each way the DTOs
 * take one (API.md: ISO 8601 with Z): to the minute, to the second, or with 1 to 9 digits of a second.
 */
const laterInstant = fc
  .tuple(
    date('2100-01-01'),
    twoDigits(23),
    twoDigits(59),
    fc.oneof(
      fc.constant(''),
      twoDigits(59).map((seconds) => `:${seconds}`),
      fc.tuple(twoDigits(59), fc.stringMatching(/^[0-9]{1,9}$/)).map(([seconds, fraction]) => `:${seconds}.${fraction}`),
    ),
  )
  .map(([day, hours, minutes, seconds]) => `${day}T${hours}:${minutes}${seconds}Z`);

/** A record reference (libs/domain validation.ts): letters, digits and / . _ -, from a letter or digit, with a digit in it; at most 64. */
const recordRef = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$/).filter((ref) => /[0-9]/.test(ref));

/** The LPAs a new installation opens its register with (DOMAIN.md), all active: a tasking's LPA, a finding's, must be. */
const LPAS = WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code);

/** Some of them, in any order: the order sent is the order kept. */
const someLpas = fc.shuffledSubarray(LPAS, { minLength: 1 });

/** A version's questions: one asked twice, alike but for white space around it, is refused (libs/domain checkQuestions). */
const questions = fc.uniqueArray(text, { minLength: 1, maxLength: 5, selector: (question) => question.trim() });

/** What an issuer may task for (TaskingSourceDto): an audit finding's correction is the registrar's, issued by the process managers. */
const ISSUER_SOURCE_KINDS = TASKING_SOURCE_KINDS.filter((kind) => kind !== 'audit-finding');

/** A closure decision's event and the status it leaves: the decision is the event's type, not a field of it (libs/domain recommendation.events.ts). */
const CLOSURE_DECIDED = {
  approve: { event: 'ClosureApproved', status: 'closed' },
  reject: { event: 'ClosureRejected', status: 'in-progress' },
} as const satisfies Record<ClosureDecision, { event: string; status: RecommendationStatus }>;

/** A verification's event and the status it leaves: the outcome is the event's type, not a field of it (libs/domain audit-finding.events.ts). */
const VERIFIED = {
  verified: { event: 'AuditFindingVerified', status: 'verified' },
  rejected: { event: 'AuditFindingCorrectionRejected', status: 'awaiting-correction' },
} as const satisfies Record<VerificationOutcome, { event: string; status: AuditFindingStatus }>;

/** Every command's answer (API.md, Conventions). */
interface CommandAnswer {
  readonly id: string;
  readonly position: string;
}

/** What a taken command must have stored, each with the fields of its body as they must read back. */
interface Stored {
  /** The answer's position: every read back waits for it. */
  readonly position: string;
  /** The events it appended: the one of `type` in `stream` (after position `after`, where the stream is not the run's own). */
  readonly events: ReadonlyArray<{ readonly stream: string; readonly type: string; readonly after?: bigint; readonly data: object }>;
  /** Its read model: a GET, as the board, whose answer (or the part `pick` takes of it) holds `holds`. */
  readonly views: ReadonlyArray<{ readonly path: string; readonly pick?: (answer: unknown) => unknown; readonly holds: object }>;
}

/** A command route: valid bodies for it, and how to send one so that it is taken, to a target of its own where a target takes the command once. */
interface VerbatimRoute<Body extends object> {
  readonly path: string;
  readonly bodies: fc.Arbitrary<Body>;
  send(body: Body): Promise<Stored>;
}

/** Infers a route's body type from its `bodies` (a method's parameter is bivariant, so one table holds every route). */
const verbatimRoute = <Body extends object>(route: VerbatimRoute<Body>): VerbatimRoute<object> => route;

/** POSTs a command that must be taken: a valid body refused is a finding. */
async function taken<Answer extends CommandAnswer = CommandAnswer>(path: string, as: string, body: object): Promise<Answer> {
  const reply = await http.post<Answer>(path, as, body);
  if (reply.status !== 200 && reply.status !== 201) throw new Error(`POST ${path} refused a valid body: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** The date every fresh recommendation is published, and so due (`immediately`). */
const PUBLISHED_ON = '2017-10-24';

/**
 * A recommendation of its own (its new inspection's only one: to forces, due PUBLISHED_ON) taken
 * along DOMAIN.md's lifecycle to `stage`: assigned, given an action (which puts it in progress),
 * proposed for closure by the lead, closed by the board.
 */
async function recommendationAt(stage: RecommendationStatus): Promise<{ id: string; actionId?: string }> {
  const registered = await taken<CommandAnswer & { recommendations: Array<{ id: string }> }>('/api/inspections', AS.lead, {
    id: randomUUID(),
    title: 'Stolen Freedom',
    inspectorate: 'HMICFRS',
    publishedOn: PUBLISHED_ON,
    recommendations: [{ number: 1, text: 'Forces should review their response.', addressee: 'forces', area: 'leadership', timescale: 'immediately' }],
  });
  const id = registered.recommendations[0]!.id;
  const reached = (status: RecommendationStatus): boolean => RECOMMENDATION_STATUSES.indexOf(stage) >= RECOMMENDATION_STATUSES.indexOf(status);
  if (reached('assigned')) await taken(`/api/recommendations/${id}/assignment`, AS.lead, { ownerId: 'u-di', ownerName: 'DI' });
  if (!reached('in-progress')) return { id };
  const { actionId } = await taken<CommandAnswer & { actionId: string }>(`/api/recommendations/${id}/actions`, AS.lead, { description: 'Train staff', ownerId: 'u-di', dueOn: '2099-01-01' });
  if (reached('closure-proposed')) await taken(`/api/recommendations/${id}/closure-proposal`, AS.lead, { evidence: 'Staff trained.' });
  if (reached('closed')) await taken(`/api/recommendations/${id}/closure-decision`, AS.board, { decision: 'approve', reason: 'Evidenced.' });
  return { id, actionId };
}

/** A recommendation view's action (API.md names it `id`, where its events say `actionId`). */
const actionOf = (actionId: string | undefined) => (view: unknown) => (view as { actions: Array<{ id: string }> }).actions.find((action) => action.id === actionId);

/** A tasking of its own, issued to shropshire: its LPA answers it once, its issuer cancels it once. */
async function shropshireTasking(): Promise<string> {
  const issued = await taken<CommandAnswer & { taskings: Array<{ id: string }> }>('/api/taskings', AS.lead, { lpas: ['shropshire'], title: 'Check', instructions: 'Go.', priority: 'routine', dueAt: DUE_AT });
  return issued.taskings[0]!.id;
}

/** API.md has no GET of one finding: the list from the place the finding was recorded at, one item. */
const findingAt = (recorded: string): string => `/api/audit-findings?after=${BigInt(recorded) - 1n}&limit=1`;
const firstItem = (list: unknown): unknown => (list as { items: unknown[] }).items[0];

/**
 * A finding of its own whose correction is made, for the registrar to verify: the process managers
 * task shropshire with it, the LPA completes that tasking, and they mark the finding corrected. The
 * process managers act in their own time: each step is waited for, 5 s at most.
 */
async function correctedFinding(): Promise<CommandAnswer> {
  const finding = await taken('/api/audit-findings', AS.registrar, { auditId: 'audit-2017', lpa: 'shropshire', category: 'other', severity: 'low', finding: 'Late.', correctionDueAt: DUE_AT });
  let correction: string | undefined;
  await waitFor(
    async () => {
      correction = (await http.get<{ items: Array<{ id: string }> }>(`/api/taskings?source=${finding.id}`, AS.board)).body.items[0]?.id;
      return correction !== undefined;
    },
    { what: `the correction tasking of finding ${finding.id}`, process: app, timeoutMs: 5_000 },
  );
  await taken(`/api/taskings/${correction}/completion`, AS.shropshire, { outcome: 'Recorded now.' });
  await waitFor(async () => (firstItem((await http.get(findingAt(finding.position), AS.board)).body) as { status?: string } | undefined)?.status === 'corrected', {
    what: `finding ${finding.id} corrected`,
    process: app,
    timeoutMs: 5_000,
  });
  return finding;
}

/** Every command route of ROUTES, in its order. */
const VERBATIM: ReadonlyArray<VerbatimRoute<object>> = [
  verbatimRoute({
    path: '/api/inspections',
    bodies: fc.record({
      id: code,
      title: textUpTo(400),
      inspectorate: textUpTo(200),
      // A recommendation is due up to 12 months after it: still within the calendar's years.
      publishedOn: date('0001-01-01', '9998-12-31'),
      recommendations: fc.uniqueArray(
        fc.record({
          number: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          text,
          addressee: fc.constantFrom(...ADDRESSEES),
          area: code,
          timescale: fc.constantFrom(...TIMESCALES),
        }),
        { minLength: 1, maxLength: 3, selector: (terms) => terms.number },
      ),
    }),
    async send(generated) {
      const body = { ...generated, id: unique(generated.id) };
      const answer = await taken('/api/inspections', AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `inspection-${body.id}`, type: 'InspectionRegistered', data: body }],
        // A recommendation's view (API.md, Queries) shows its terms but the timescale, which its due date comes from.
        views: body.recommendations.map(({ number, text: said, addressee, area }) => ({ path: `/api/recommendations/${body.id}-${number}`, holds: { number, text: said, addressee, area } })),
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/assignment',
    bodies: fc.record({ ownerId: textUpTo(100), ownerName: textUpTo(200), note: text }, { requiredKeys: ['ownerId', 'ownerName'] }),
    async send(body) {
      // Its own: assigning the owner it has already is a repeat, which appends nothing.
      const { id } = await recommendationAt('registered');
      const answer = await taken(`/api/recommendations/${id}/assignment`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: 'RecommendationAssigned', data: body }],
        // The view names them `owner: { id, name }` (API.md, Queries); the note is the log's alone.
        views: [{ path: `/api/recommendations/${id}`, holds: { owner: { id: body.ownerId, name: body.ownerName } } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/actions',
    // The LPA that carries it out, one of the register's (API.md: an unknown LPA code is a 400).
    bodies: fc.record({ description: text, ownerId: textUpTo(100), dueOn: date(), lpa: fc.constantFrom(...LPAS) }, { requiredKeys: ['description', 'ownerId', 'dueOn'] }),
    async send(body) {
      const { id } = await recommendationAt('assigned');
      const answer = await taken<CommandAnswer & { actionId: string }>(`/api/recommendations/${id}/actions`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: 'ActionPlanned', data: body }],
        views: [{ path: `/api/recommendations/${id}`, pick: actionOf(answer.actionId), holds: body }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/actions/:actionId/progress',
    bodies: fc.record({ status: fc.constantFrom(...PROGRESS_STATUSES), note: text }, { requiredKeys: ['status'] }),
    async send(body) {
      // An action of its own, still planned: progress to the status an action has is a repeat.
      const { id, actionId } = await recommendationAt('in-progress');
      const answer = await taken(`/api/recommendations/${id}/actions/${actionId}/progress`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: 'ActionProgressRecorded', data: body }],
        // The view shows the action's status; the note is the log's alone.
        views: [{ path: `/api/recommendations/${id}`, pick: actionOf(actionId), holds: { status: body.status } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/due-date',
    // An extension: later than the due date it has (PUBLISHED_ON); one not later is a 409.
    bodies: fc.record({ dueOn: date('2017-10-25'), reason: text }),
    async send(body) {
      const { id } = await recommendationAt('registered');
      const answer = await taken(`/api/recommendations/${id}/due-date`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: 'DueDateExtended', data: body }],
        // The reason is the log's alone.
        views: [{ path: `/api/recommendations/${id}`, holds: { dueOn: body.dueOn } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/closure-proposal',
    bodies: fc.record({ evidence: text }),
    async send(body) {
      const { id } = await recommendationAt('in-progress');
      const answer = await taken(`/api/recommendations/${id}/closure-proposal`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: 'ClosureProposed', data: body }],
        // The view (API.md, Queries) has no place for the evidence, which is the log's alone: it shows the status the proposal left.
        views: [{ path: `/api/recommendations/${id}`, holds: { status: 'closure-proposed' } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/closure-decision',
    bodies: fc.record({ decision: fc.constantFrom(...CLOSURE_DECISIONS), reason: text }),
    async send(body) {
      // Proposed by the lead: the board may decide it.
      const { id } = await recommendationAt('closure-proposed');
      const answer = await taken(`/api/recommendations/${id}/closure-decision`, AS.board, body);
      const decided = CLOSURE_DECIDED[body.decision];
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: decided.event, data: { reason: body.reason } }],
        views: [{ path: `/api/recommendations/${id}`, holds: { status: decided.status } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/recommendations/:id/reopening',
    bodies: fc.record({ reason: text }),
    async send(body) {
      const { id } = await recommendationAt('closed');
      const answer = await taken(`/api/recommendations/${id}/reopening`, AS.board, body);
      return {
        position: answer.position,
        events: [{ stream: `recommendation-${id}`, type: 'RecommendationReopened', data: body }],
        // The reason is the log's alone: the view shows the status the reopening left.
        views: [{ path: `/api/recommendations/${id}`, holds: { status: 'in-progress' } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/intelligence-requirements',
    bodies: fc.record(
      { id: code, title: textUpTo(200), priority: code, questions, rag: fc.constantFrom(...REQUIREMENT_RAGS), rationale: text },
      { requiredKeys: ['title', 'priority', 'questions', 'rag', 'rationale'] },
    ),
    async send(generated) {
      const body = generated.id === undefined ? generated : { ...generated, id: unique(generated.id) };
      const answer = await taken('/api/intelligence-requirements', AS.lead, body);
      // Without an id in the body, the requirement's is the one the answer gives.
      const { id = answer.id, ...terms } = body;
      expect(answer.id).toBe(id);
      return {
        position: answer.position,
        // The event names the id `requirementId` (IntelligenceRequirementRaised).
        events: [{ stream: `requirement-${id}`, type: 'IntelligenceRequirementRaised', data: { requirementId: id, ...terms } }],
        views: [{ path: `/api/intelligence-requirements/${id}`, holds: { id, ...terms } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/intelligence-requirements/:id/refresh',
    bodies: fc.record({ questions, rag: fc.constantFrom(...REQUIREMENT_RAGS), rationale: text, lpas: someLpas, dueAt: laterInstant }),
    async send(body) {
      const { id } = await taken('/api/intelligence-requirements', AS.lead, { title: 'Labour exploitation', priority: 'modern-slavery', questions: ['Where?'], rag: 'amber', rationale: 'Little known.' });
      const answer = await taken<CommandAnswer & { version: number }>(`/api/intelligence-requirements/${id}/refresh`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `requirement-${id}`, type: 'IntelligenceRequirementRefreshed', data: body }],
        views: [{ path: `/api/intelligence-requirements/${id}?version=${answer.version}`, holds: body }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/audit-findings',
    bodies: fc.record(
      {
        auditId: code,
        lpa: fc.constantFrom(...LPAS),
        category: fc.constantFrom(...AUDIT_FINDING_CATEGORIES),
        severity: fc.constantFrom(...AUDIT_FINDING_SEVERITIES),
        finding: text,
        recordRef,
        correctionDueAt: laterInstant,
      },
      { requiredKeys: ['auditId', 'lpa', 'category', 'severity', 'finding', 'correctionDueAt'] },
    ),
    async send(body) {
      const answer = await taken('/api/audit-findings', AS.registrar, body);
      return {
        position: answer.position,
        events: [{ stream: `finding-${answer.id}`, type: 'AuditFindingRecorded', data: body }],
        views: [{ path: findingAt(answer.position), pick: firstItem, holds: { id: answer.id, ...body } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/audit-findings/:id/verification',
    bodies: fc.record({ outcome: fc.constantFrom(...VERIFICATION_OUTCOMES), note: text }, { requiredKeys: ['outcome'] }),
    async send(body) {
      const finding = await correctedFinding();
      const answer = await taken(`/api/audit-findings/${finding.id}/verification`, AS.registrar, body);
      const verified = VERIFIED[body.outcome];
      return {
        position: answer.position,
        events: [{ stream: `finding-${finding.id}`, type: verified.event, data: body.note === undefined ? {} : { note: body.note } }],
        // The note is the log's alone: the view shows the status the verification left.
        views: [{ path: findingAt(finding.position), pick: firstItem, holds: { id: finding.id, status: verified.status } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/taskings',
    bodies: fc.record(
      {
        lpas: someLpas,
        title: textUpTo(200),
        instructions: text,
        priority: fc.constantFrom(...TASKING_PRIORITIES),
        dueAt: laterInstant,
        source: fc.record({ kind: fc.constantFrom(...ISSUER_SOURCE_KINDS), id: code }),
      },
      { requiredKeys: ['lpas', 'title', 'instructions', 'priority', 'dueAt'] },
    ),
    async send(body) {
      const answer = await taken<CommandAnswer & { taskings: Array<{ id: string; lpa: string }> }>('/api/taskings', AS.lead, body);
      // One tasking per LPA, in the order of `lpas`: each one's event and view name its LPA `lpa`.
      const { lpas, ...terms } = body;
      expect(answer.taskings.map((tasking) => tasking.lpa)).toEqual(lpas);
      return {
        position: answer.position,
        events: answer.taskings.map(({ id, lpa }) => ({ stream: `tasking-${id}`, type: 'TaskingIssued', data: { lpa, ...terms } })),
        views: answer.taskings.map(({ id, lpa }) => ({ path: `/api/taskings/${id}`, holds: { lpa, ...terms } })),
      };
    },
  }),
  verbatimRoute({
    path: '/api/taskings/:id/acknowledgement',
    bodies: fc.record({ note: text }, { requiredKeys: [] }),
    async send(body) {
      const id = await shropshireTasking();
      const answer = await taken(`/api/taskings/${id}/acknowledgement`, AS.shropshire, body);
      return {
        position: answer.position,
        events: [{ stream: `tasking-${id}`, type: 'TaskingAcknowledged', data: body }],
        // The note is the log's alone: the view shows the status the acknowledgement left.
        views: [{ path: `/api/taskings/${id}`, holds: { status: 'acknowledged' } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/taskings/:id/completion',
    bodies: fc.record({ outcome: text, refs: fc.array(recordRef, { maxLength: 5 }) }, { requiredKeys: ['outcome'] }),
    async send(body) {
      const id = await shropshireTasking();
      const answer = await taken(`/api/taskings/${id}/completion`, AS.shropshire, body);
      return {
        position: answer.position,
        events: [{ stream: `tasking-${id}`, type: 'TaskingCompleted', data: body }],
        views: [{ path: `/api/taskings/${id}`, holds: { status: 'completed', completion: body } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/taskings/:id/decline',
    bodies: fc.record({ reason: text }),
    async send(body) {
      const id = await shropshireTasking();
      const answer = await taken(`/api/taskings/${id}/decline`, AS.shropshire, body);
      return {
        position: answer.position,
        events: [{ stream: `tasking-${id}`, type: 'TaskingDeclined', data: body }],
        // The view names the reason `declineReason` (libs/domain tasking.state.ts).
        views: [{ path: `/api/taskings/${id}`, holds: { status: 'declined', declineReason: body.reason } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/taskings/:id/cancellation',
    bodies: fc.record({ reason: text }),
    async send(body) {
      const id = await shropshireTasking();
      const answer = await taken(`/api/taskings/${id}/cancellation`, AS.lead, body);
      return {
        position: answer.position,
        events: [{ stream: `tasking-${id}`, type: 'TaskingCancelled', data: body }],
        // The view names the reason `cancelReason` (libs/domain tasking.state.ts).
        views: [{ path: `/api/taskings/${id}`, holds: { status: 'cancelled', cancelReason: body.reason } }],
      };
    },
  }),
  verbatimRoute({
    path: '/api/lpas',
    // An LPA (activeTo, when given, not before activeFrom), and whether the body is to end one
    // (API.md: "adds or ends an LPA"): the same LPA, added open-ended just before.
    bodies: fc.tuple(
      fc
        .record({ code, name: textUpTo(200), activeFrom: date(), activeTo: date() }, { requiredKeys: ['code', 'name', 'activeFrom'] })
        .map((lpa) => (lpa.activeTo !== undefined && lpa.activeTo < lpa.activeFrom ? { ...lpa, activeFrom: lpa.activeTo, activeTo: lpa.activeFrom } : lpa)),
      fc.boolean(),
    ),
    async send([generated, endsOne]) {
      const body = { ...generated, code: unique(generated.code) };
      const { activeTo, ...openEnded } = body;
      const ends = endsOne && activeTo !== undefined;
      if (ends) await taken('/api/lpas', AS.admin, openEnded);
      const answer = await taken('/api/lpas', AS.admin, body);
      // The whole register is one stream: the body's event is the one at the answer's position.
      const after = BigInt(answer.position) - 1n;
      return {
        position: answer.position,
        events: [
          ends
            ? // An ending carries the code and the last day: the name and first day stand as recorded, which the domain requires the body's to be.
              { stream: LPA_REGISTER_STREAM, type: 'LpaEnded', after, data: { code: body.code, activeTo } }
            : { stream: LPA_REGISTER_STREAM, type: 'LpaAdded', after, data: body },
        ],
        views: [{ path: '/api/lpas', pick: (register) => (register as { items: Lpa[] }).items.find((lpa) => lpa.code === body.code), holds: body }],
      };
    },
  }),
];

/**
 * Reads back what a taken command stored: its events from the global log (GET /api/history), and
 * its read model. The projector feeds both in its own time: each GET names the answer's position
 * (API.md, Read your writes), so that it answers once the read model holds the command's events,
 * waiting up to 5 s (past that, a 503), with no polling. (A tasking and a requirement are read from
 * their streams, which hold them already; the LPA register too, asked for with `?position=`.)
 */
async function readBack(stored: Stored): Promise<void> {
  for (const event of stored.events) {
    const query = new URLSearchParams({ stream: event.stream, type: event.type, position: stored.position, ...(event.after === undefined ? {} : { after: String(event.after) }) });
    const reply = await http.get<{ items: Array<{ data: object }> }>(`/api/history?${query.toString()}`, AS.board);
    expect(reply.status).toBe(200);
    // Appended once.
    expect(reply.body.items).toHaveLength(1);
    expect(reply.body.items[0]!.data).toMatchObject(event.data);
  }
  for (const view of stored.views) {
    const reply = await http.get(`${view.path}${view.path.includes('?') ? '&' : '?'}position=${stored.position}`, AS.board);
    expect(reply.status).toBe(200);
    expect(view.pick ? view.pick(reply.body) : reply.body).toMatchObject(view.holds);
  }
}

const VERBATIM_RUNS = Math.ceil(RUNS / 10);

describe.each(VERBATIM.map((route) => [route.path, route] as const))('POST %s, valid bodies', (_path, route) => {
  it(`are taken and stored verbatim: in the log, and in the read model (${VERBATIM_RUNS} runs)`, async () => {
    verbatim.routes += 1;
    await fc.assert(
      fc.asyncProperty(route.bodies, async (body) => {
        verbatim.bodies += 1;
        try {
          await readBack(await route.send(body));
        } catch (error) {
          verbatim.mismatches += 1;
          throw error;
        }
      }),
      { numRuns: VERBATIM_RUNS },
    );
  }, 600_000);
});
