/**
 * The access matrix (issue 5, point 1): every route of the running api × every kind of caller,
 * checked against one declared table of who may call what (API.md's roles column). Anonymous and
 * each kind of bad token (point 3: alg none, another secret, expired, not yet valid, no sub, an
 * LPA role without its LPA, oversized, a tampered payload) are a 401; a role the table leaves out
 * is a 403; a caller it lets in is never either (it gets what the route does with a made-up id and
 * an empty body: a 200, a 400, a 404...), and never a 5xx. The table must name exactly the routes
 * the source declares (found from the controllers, test/support/routes.ts), so a new route cannot
 * go unchecked. And the log's head is where it was before: no call of the matrix, refused or let
 * in with an empty body, appended.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@app/domain';
import { signToken, type TokenClaims, type TokenRejection } from '@app/auth';
import { HttpClient, tokenFor } from './support/http-client';
import { freePort, type RunningProcess, startApp, stopAll, waitForStatus } from './support/processes';
import { printFigures } from './support/figures';
import { logHead } from './support/log-head';
import { allRoutes } from './support/routes';

const API = 'dist/apps/api/src/main.js';
const SECRET = `access-matrix-${randomUUID()}`;
const OWN_LPA = 'shropshire';

const ALL: readonly Role[] = ['strategic-lead', 'intelligence', 'registrar', 'board', 'lpa', 'admin'];
const ALL_BUT_LPA = ALL.filter((role) => role !== 'lpa');

/**
 * Who may call each route (API.md, Commands, Queries and Operations): `public`, or the roles. An
 * `lpa` entry marked `ownPath` means the LPA user of the LPA in the path only (another LPA's user
 * is refused, 403).
 */
const TABLE: Readonly<Record<string, 'public' | { readonly roles: readonly Role[]; readonly ownPath?: true }>> = {
  'POST /api/inspections': { roles: ['strategic-lead'] },
  'POST /api/recommendations/:id/assignment': { roles: ['strategic-lead'] },
  'POST /api/recommendations/:id/actions': { roles: ['strategic-lead'] },
  'POST /api/recommendations/:id/actions/:actionId/progress': { roles: ['strategic-lead'] },
  'POST /api/recommendations/:id/due-date': { roles: ['strategic-lead'] },
  'POST /api/recommendations/:id/closure-proposal': { roles: ['strategic-lead'] },
  'POST /api/recommendations/:id/closure-decision': { roles: ['board'] },
  'POST /api/recommendations/:id/reopening': { roles: ['board'] },
  'POST /api/intelligence-requirements': { roles: ['strategic-lead', 'intelligence'] },
  'POST /api/intelligence-requirements/:id/refresh': { roles: ['strategic-lead', 'intelligence'] },
  'POST /api/audit-findings': { roles: ['registrar'] },
  'POST /api/audit-findings/:id/verification': { roles: ['registrar'] },
  'POST /api/taskings': { roles: ['strategic-lead', 'intelligence'] },
  'POST /api/taskings/:id/acknowledgement': { roles: ['lpa'] },
  'POST /api/taskings/:id/completion': { roles: ['lpa'] },
  'POST /api/taskings/:id/decline': { roles: ['lpa'] },
  'POST /api/taskings/:id/cancellation': { roles: ['strategic-lead', 'intelligence'] },
  'POST /api/lpas': { roles: ['admin'] },
  'GET /api/recommendations': { roles: ALL_BUT_LPA },
  'GET /api/recommendations/:id': { roles: ALL_BUT_LPA },
  'GET /api/recommendations/:id/history': { roles: ALL_BUT_LPA },
  'GET /api/intelligence-requirements/:id': { roles: ALL_BUT_LPA },
  'GET /api/audit-findings': { roles: ['registrar', 'board', 'strategic-lead'] },
  'GET /api/taskings': { roles: ALL },
  'GET /api/taskings/:id': { roles: ['strategic-lead', 'intelligence', 'registrar', 'board', 'lpa'] },
  'GET /api/taskings/:id/history': { roles: ['strategic-lead', 'intelligence', 'registrar', 'board', 'lpa'] },
  'GET /api/lpas/:code/taskings': { roles: ['lpa', 'strategic-lead', 'intelligence', 'board'], ownPath: true },
  'GET /api/board/summary': { roles: ['board', 'strategic-lead'] },
  'GET /api/history': { roles: ['board', 'strategic-lead'] },
  'GET /api/lpas': { roles: ALL },
  'GET /metrics': { roles: ['admin'] },
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
};

interface Caller {
  readonly name: string;
  readonly token: string | undefined;
  readonly role?: Role;
  /** An LPA user of the LPA the paths name (true) or of another (false). */
  readonly ownLpa?: boolean;
  /** Without a usable token: the WWW-Authenticate challenge its 401 must carry. */
  readonly challenge?: string;
}

const person = (role: Role, lpa?: string): string => tokenFor(SECRET, { sub: `u-${role}-${lpa ?? 'force'}`, name: `A ${role} user`, roles: [role], ...(lpa ? { lpa } : {}) });
const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);
/** An administrator's claims, as a good token has them: each bad token below differs by one flaw. */
const admin = (): TokenClaims => ({ sub: 'u-admin-force', name: 'An admin user', roles: ['admin'], iat: now(), exp: now() + 3600 });

/**
 * Tokens that must not let anyone in (issue 5, point 3), each with the reason the api must give
 * (WWW-Authenticate's error_description), so that each proves its own flaw is caught, not another.
 */
const BAD_TOKENS: ReadonlyArray<{ readonly flaw: string; readonly reason: TokenRejection; readonly token: () => string }> = [
  { flaw: 'alg none', reason: 'unsupported-algorithm', token: () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(admin())}.` },
  { flaw: 'another secret', reason: 'bad-signature', token: () => signToken(admin(), 'another-secret') },
  { flaw: 'expired', reason: 'expired', token: () => signToken({ ...admin(), iat: now() - 7200, exp: now() - 3600 }, SECRET) },
  { flaw: 'not yet valid', reason: 'not-yet-valid', token: () => signToken({ ...admin(), nbf: now() + 3600, exp: now() + 7200 }, SECRET) },
  { flaw: 'without sub', reason: 'missing-subject', token: () => signToken({ ...admin(), sub: undefined } as never, SECRET) },
  { flaw: 'lpa role without its lpa', reason: 'missing-lpa', token: () => signToken({ ...admin(), roles: ['lpa'] }, SECRET) },
  { flaw: 'over 8 KiB', reason: 'too-large', token: () => signToken({ ...admin(), name: 'x'.repeat(9000) }, SECRET) },
  {
    flaw: 'a tampered payload (roles raised, signature kept)',
    reason: 'bad-signature',
    token: () => {
      const [header, , signature] = person('lpa', OWN_LPA).split('.');
      return `${header}.${base64url({ ...admin(), sub: 'u-lpa-shropshire', roles: ['admin', 'strategic-lead', 'board'] })}.${signature}`;
    },
  },
];

const CALLERS: readonly Caller[] = [
  { name: 'anonymous', token: undefined, challenge: 'Bearer realm="api"' },
  ...BAD_TOKENS.map(({ flaw, reason, token }) => ({ name: `a token: ${flaw}`, token: token(), challenge: `Bearer realm="api", error="invalid_token", error_description="${reason}"` })),
  { name: 'admin (the good twin of the bad tokens)', token: signToken(admin(), SECRET), role: 'admin' as const },
  ...ALL_BUT_LPA.filter((role) => role !== 'admin').map((role) => ({ name: role, token: person(role), role })),
  { name: `lpa (${OWN_LPA})`, token: person('lpa', OWN_LPA), role: 'lpa' as const, ownLpa: true },
  { name: 'lpa (herefordshire)', token: person('lpa', 'herefordshire'), role: 'lpa' as const, ownLpa: false },
];

/** The path with its parameters filled: a made-up id, the own LPA's code. */
function concrete(path: string): string {
  return path.replace(':actionId', 'a-1').replace(':code', OWN_LPA).replace(':id', `no-such-${randomUUID().slice(0, 8)}`);
}

/** What the table says of `caller` on `route`: 401, 403, or 'in' (neither, and no 5xx). */
function expected(route: string, caller: Caller): 401 | 403 | 'in' {
  const rule = TABLE[route]!;
  if (rule === 'public') return 'in';
  if (caller.role === undefined) return 401;
  if (!rule.roles.includes(caller.role)) return 403;
  if (caller.role === 'lpa' && rule.ownPath && !caller.ownLpa) return 403;
  return 'in';
}

let dataDir: string;
let app: RunningProcess;
let http: HttpClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'access-matrix-'));
  const port = await freePort();
  app = startApp(API, { DATA_DIR: dataDir, PORT: String(port), AUTH_JWT_SECRET: SECRET, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: `access-matrix-${process.pid}` });
  await waitForStatus(port, '/health/ready', 200, app);
  http = new HttpClient(port);
}, 60_000);

afterAll(async () => {
  http?.close();
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the access matrix', () => {
  it('names exactly the routes the source declares', async () => {
    const declared = (await allRoutes()).map((route) => `${route.method} ${route.path}`).sort();
    expect(declared).toEqual(Object.keys(TABLE).sort());
  });

  it('answers every route × caller as the table says: 401, 403, or let in; never a 5xx, and nothing appended', async () => {
    const headBefore = await logHead(dataDir);
    // The register's opening at start, at least: a head that reads 0 would prove nothing.
    expect(headBefore).toBeGreaterThan(0n);
    const mismatches: string[] = [];
    let cells = 0;
    let fiveHundreds = 0;
    for (const route of Object.keys(TABLE)) {
      const [method, path] = route.split(' ') as [string, string];
      for (const caller of CALLERS) {
        const reply = await http.send(method, concrete(path), {
          ...(caller.token === undefined ? {} : { token: caller.token }),
          ...(method === 'POST' ? { json: {} } : {}),
        });
        cells += 1;
        if (reply.status >= 500) fiveHundreds += 1;
        const want = expected(route, caller);
        const ok = want === 'in' ? reply.status !== 401 && reply.status !== 403 && reply.status < 500 : reply.status === want;
        if (!ok || reply.status >= 500) mismatches.push(`${route} as ${caller.name}: ${reply.status}, expected ${want === 'in' ? 'neither 401 nor 403' : want}`);
        else if (want === 401 && reply.headers['www-authenticate'] !== caller.challenge) {
          mismatches.push(`${route} as ${caller.name}: challenged with ${reply.headers['www-authenticate']}, expected ${caller.challenge}`);
        }
      }
    }
    const headAfter = await logHead(dataDir);
    printFigures(
      `access matrix: ${cells} cells checked (${Object.keys(TABLE).length} routes × ${CALLERS.length} callers: anonymous, ${BAD_TOKENS.length} bad tokens, ${CALLERS.length - 1 - BAD_TOKENS.length} people), ${mismatches.length} mismatches, ${fiveHundreds} × 5xx; log head ${headBefore} before, ${headAfter} after`,
    );
    expect(mismatches).toEqual([]);
    expect(headAfter).toBe(headBefore);
  }, 60_000);
});
