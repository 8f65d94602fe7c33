/**
 * `npm run demo`: drives a running instance (DEMO_URL, default http://127.0.0.1:3000) through
 * the seed paper, West Mercia's response to HMICFRS's "Stolen Freedom" (published 24 October
 * 2017): registers the inspection and its eleven recommendations, assigns the seven addressed to
 * forces, records actions from the force response (seed ¶16-25), extends one due date, proposes
 * and approves one closure, then prints what the board sees now and as the log stood at the end
 * of the story's January 2018.
 *
 * The log records when each command reached it: today, not 2017. So "as at 31 January 2018" is
 * answered as the log stood when this run had played the story up to that date (an instant it
 * notes), and RAG is judged at that instant, when every 2017-2018 due date has long passed.
 * Tokens are signed with AUTH_JWT_SECRET, or the development secret, as the instance's are.
 */
import { randomUUID } from 'node:crypto';
import { signToken } from '@app/auth';
import { ConfigError, loadConfig } from '@app/config';
import type { Role } from '@app/domain';
import { INSPECTION_ID, PUBLISHED_ON, STOLEN_FREEDOM_RECOMMENDATIONS } from '../libs/domain/src/testing/stolen-freedom';

const BASE = process.env.DEMO_URL ?? 'http://127.0.0.1:3000';
const INSPECTION = process.env.DEMO_INSPECTION ?? `${INSPECTION_ID}-${randomUUID().slice(0, 8)}`;

interface Person {
  readonly sub: string;
  readonly name: string;
  readonly role: Role;
}
const LEAD: Person = { sub: 'u-det-supt', name: 'Det Supt (strategic lead)', role: 'strategic-lead' };
const TACTICAL: Person = { sub: 'u-det-insp', name: 'DI (tactical lead)', role: 'strategic-lead' };
const BOARD: Person = { sub: 'u-sib-chair', name: 'Service Improvement Board chair', role: 'board' };

let secret: string;
try {
  secret = loadConfig(process.env).auth.jwtSecret;
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}

function token(person: Person): string {
  const now = Math.floor(Date.now() / 1000);
  return signToken({ sub: person.sub, name: person.name, roles: [person.role], iat: now, exp: now + 3600 }, secret);
}

async function call<T>(method: 'GET' | 'POST', path: string, person: Person, body?: object): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token(person)}`,
        ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    console.error(`No instance answers at ${BASE} (${(error as Error).message}): start one with npm start, or set DEMO_URL.`);
    process.exit(69);
  }
  const answer = (await response.json()) as T & { detail?: string };
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${answer.detail ?? JSON.stringify(answer)}`);
  return answer;
}

type Answer = { id: string; revision: number; position: string; actionId?: string };
const id = (number: number): string => `${INSPECTION}-${number}`;
let lastPosition = '0';
function step(text: string, answer: Answer): Answer {
  lastPosition = answer.position;
  console.log(`  ${text.padEnd(86)} → revision ${answer.revision}, position ${answer.position}`);
  return answer;
}

async function plan(number: number, description: string, dueOn: string, owner = TACTICAL.sub): Promise<string> {
  const answer = step(
    `#${number}: plan "${description.slice(0, 60)}${description.length > 60 ? '…' : ''}"`,
    await call<Answer>('POST', `/api/recommendations/${id(number)}/actions`, LEAD, { description, ownerId: owner, dueOn }),
  );
  return answer.actionId!;
}

async function progress(number: number, actionId: string, status: 'in-progress' | 'blocked' | 'complete'): Promise<void> {
  step(
    `#${number}: action ${actionId.slice(0, 8)} ${status}`,
    await call<Answer>('POST', `/api/recommendations/${id(number)}/actions/${actionId}/progress`, LEAD, { status }),
  );
}

interface View {
  id: string;
  number: number;
  addressee: string;
  area: string;
  status: string;
  rag: string;
  owner: { name: string } | null;
  dueOn: string;
  originalDueOn: string;
  actions: { status: string }[];
}
interface Summary {
  recommendations: { total: number; byStatus: Record<string, number>; byRag: Record<string, number>; overdueActions: number };
}

function table(views: readonly View[]): void {
  const rows = views.map((v) => [
    String(v.number),
    v.addressee,
    v.area.slice(0, 26),
    v.status,
    v.rag,
    v.owner?.name.slice(0, 24) ?? '-',
    v.dueOn === v.originalDueOn ? v.dueOn : `${v.dueOn} (was ${v.originalDueOn})`,
    `${v.actions.filter((a) => a.status === 'complete').length}/${v.actions.length}`,
  ]);
  const head = ['#', 'addressee', 'area', 'status', 'rag', 'owner', 'due', 'actions done'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`  ${line(head)}\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

async function boardView(title: string, asOf?: string): Promise<void> {
  const query = asOf ? `asOf=${encodeURIComponent(asOf)}` : `position=${lastPosition}`;
  const list = await call<{ items: View[] }>('GET', `/api/recommendations?limit=1000&${query}`, BOARD);
  const summary = await call<Summary>('GET', `/api/board/summary?${query}`, BOARD);
  const ours = list.items.filter((v) => v.id.startsWith(`${INSPECTION}-`)).sort((a, b) => a.number - b.number);
  console.log(`\n${title}`);
  table(ours);
  const { byStatus, byRag, overdueActions } = summary.recommendations;
  console.log(`  Board summary (every inspection): ${JSON.stringify(byStatus)}; RAG ${JSON.stringify(byRag)}; overdue actions ${overdueActions}`);
}

async function main(): Promise<void> {
  console.log(`Stolen Freedom (HMICFRS, published ${PUBLISHED_ON}) against ${BASE}, as inspection ${INSPECTION}\n`);
  console.log('November 2017: the strategic lead registers the inspection and assigns the force recommendations');
  const registered = await call<Answer & { recommendations: { id: string; number: number; dueOn: string }[] }>(
    'POST',
    '/api/inspections',
    LEAD,
    {
      id: INSPECTION,
      title: 'Stolen Freedom: the policing response to modern slavery and human trafficking',
      inspectorate: 'HMICFRS',
      publishedOn: PUBLISHED_ON,
      recommendations: STOLEN_FREEDOM_RECOMMENDATIONS,
    },
  );
  step(`registered with ${registered.recommendations.length} recommendations`, registered);
  const forces = STOLEN_FREEDOM_RECOMMENDATIONS.filter((r) => r.addressee === 'forces').map((r) => r.number);
  for (const number of forces) {
    step(
      `#${number}: assigned to ${TACTICAL.name}`,
      await call<Answer>('POST', `/api/recommendations/${id(number)}/assignment`, LEAD, {
        ownerId: TACTICAL.sub,
        ownerName: TACTICAL.name,
        note: 'Force response to the Police and Crime Panel, 30 November 2017',
      }),
    );
  }

  console.log('\nDecember 2017 - January 2018: actions from the force response (seed ¶16-25)');
  const course = await plan(2, 'Officers from each LPA attend the accredited Modern Slavery Specialist Investigator course', '2018-03-31');
  await plan(2, 'FIB builds a dashboard of key MSHT performance information for senior leaders', '2018-04-30');
  await plan(2, 'Decide between a force Anti-Slavery Network and joining the West Midlands network', '2018-06-30', LEAD.sub);
  await plan(4, 'FIB completes a data-sharing agreement that every partner agency can sign', '2018-04-24');
  await plan(4, 'Adopt the West Midlands regional partnership information-sharing document once fit for purpose', '2018-04-24');
  const s45 = await plan(5, 'Raise awareness of the section 45 defence with all SIOs and custody facilities', '2017-12-31');
  const nrm = await plan(6, 'FIB triages every NRM form and sends it for investigation and crime recording', '2017-12-31');
  const markers = await plan(6, 'FIB applies PNC and local markers to all victims and suspects of modern slavery', '2017-12-31');
  const audit = await plan(7, 'Force Crime Registrar runs a thematic MSHT crime-recording audit (HO DQA manual tests)', '2018-03-31');
  await plan(8, 'All SIOs follow the Authorised Professional Practice for MSHT investigations', '2018-01-31');
  await plan(9, 'Review the use of Slavery and Trafficking Prevention and Risk Orders', '2018-04-30');
  await progress(2, course, 'in-progress');
  await progress(5, s45, 'complete');
  await progress(6, nrm, 'complete');
  await progress(6, markers, 'complete');
  await progress(7, audit, 'in-progress');
  step(
    '#4: due date extended to 2018-07-31',
    await call<Answer>('POST', `/api/recommendations/${id(4)}/due-date`, LEAD, {
      dueOn: '2018-07-31',
      reason: 'The regional information-sharing document is still being drafted by the West Midlands region',
    }),
  );
  const endOfJanuary = new Date().toISOString();
  console.log(`  (the story has reached 31 January 2018: the log stands at ${endOfJanuary})`);

  console.log('\nFebruary 2018: closure of recommendation 6 (NRM compliance)');
  step(
    '#6: closure proposed by the strategic lead',
    await call<Answer>('POST', `/api/recommendations/${id(6)}/closure-proposal`, LEAD, {
      evidence: 'All NRM forms triaged by FIB and sent for investigation; PNC markers applied to victims and suspects',
    }),
  );
  step(
    '#6: closure approved by the Service Improvement Board',
    await call<Answer>('POST', `/api/recommendations/${id(6)}/closure-decision`, BOARD, {
      decision: 'approve',
      reason: 'Evidence of compliance with the NRM process and the duty to notify accepted',
    }),
  );

  await boardView(`What the board sees now (${new Date().toISOString()})`);
  await boardView(`What the board saw at the end of the story's January 2018 (the log as of ${endOfJanuary})`, endOfJanuary);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
