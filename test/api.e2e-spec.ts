/**
 * The built api as a real process: its HTTP conventions where they show without a command (OpenAPI
 * at /docs, problem+json for an unknown route, health without a token), and its hardening: the
 * security headers on every answer, errors included, and CORS for the configured origins only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printFigures } from './support/figures';
import { HttpClient, type Reply, tokenFor } from './support/http-client';
import { freePort, get, type RunningProcess, startApp, stopAll, waitForStatus } from './support/processes';

const API = 'dist/apps/api/src/main.js';
const ALLOWED_ORIGIN = 'https://governance.example.police.uk';
const SECRET = `api-e2e-${process.pid}-secret`;
const RATE_LIMIT = 5;

let app: RunningProcess;
let port: number;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'api-e2e-'));
  port = await freePort();
  app = startApp(API, {
    DATA_DIR: dataDir,
    PORT: String(port),
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `api-e2e-${process.pid}`,
    CORS_ORIGINS: `${ALLOWED_ORIGIN}, http://localhost:5173`,
    AUTH_JWT_SECRET: SECRET,
    RATE_LIMIT_PER_SECOND: String(RATE_LIMIT),
  });
  await waitForStatus(port, '/health/live', 200, app);
});

afterAll(async () => {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The status and headers of a request with `headers` (an Origin, a preflight's). */
function headersOf(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A comma-separated header as its items. */
const listOf = (header: string | string[] | undefined): string[] => (typeof header === 'string' ? header.split(/,\s*/) : []);

function contentTypeOf(path: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.headers['content-type']);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the api', () => {
  it('serves its OpenAPI document with the bearer scheme, without a token', async () => {
    const docs = await get(port, '/docs-json');

    expect(docs.status).toBe(200);
    expect(docs.body).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    });
    expect((await get(port, '/docs')).status).toBe(200);
    expect(await contentTypeOf('/docs')).toMatch(/^text\/html/);
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const answer = await get(port, '/api/nowhere');

    expect(answer).toEqual({
      status: 404,
      body: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Cannot GET /api/nowhere' },
    });
    expect(await contentTypeOf('/api/nowhere')).toMatch(/^application\/problem\+json/);
  });

  it('serves health without a token', async () => {
    expect((await get(port, '/health/ready')).status).toBe(200);
    expect(app.stderr()).toBe('');
  });
});

describe('hardening', () => {
  it('sends the security headers on every answer, errors and /docs included, and no x-powered-by', async () => {
    for (const [path, status] of [['/health/live', 200], ['/api/nowhere', 404], ['/api/taskings', 401], ['/docs', 200]] as const) {
      const answer = await headersOf('GET', path);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
      expect(answer.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('lets pages of a configured origin call it (CORS), with the headers of API.md, and no other origin', async () => {
    const allowed = await headersOf('GET', '/health/live', { origin: ALLOWED_ORIGIN });
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(listOf(allowed.headers['access-control-expose-headers'])).toEqual(['etag', 'location', 'retry-after', 'idempotent-replayed']);
    expect(allowed.headers.vary).toMatch(/origin/i);

    const preflight = await headersOf('OPTIONS', '/api/taskings', {
      origin: ALLOWED_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(listOf(preflight.headers['access-control-allow-methods'])).toEqual(['GET', 'POST']);
    expect(listOf(preflight.headers['access-control-allow-headers'])).toEqual(['authorization', 'content-type', 'if-match', 'idempotency-key']);

    for (const origin of ['https://evil.example.com', 'https://governance.example.police.uk.evil.example.com', 'null']) {
      const refused = await headersOf('GET', '/health/live', { origin });
      expect({ origin, allow: refused.headers['access-control-allow-origin'] }).toEqual({ origin, allow: undefined });
      const refusedPreflight = await headersOf('OPTIONS', '/api/taskings', { origin, 'access-control-request-method': 'POST' });
      expect({ origin, allow: refusedPreflight.headers['access-control-allow-origin'] }).toEqual({ origin, allow: undefined });
    }
  });
});

describe('the per-user rate limit (RATE_LIMIT_PER_SECOND, 5 here)', () => {
  const board = tokenFor(SECRET, { sub: 'u-board-rate', name: 'Board member', roles: ['board'] });
  const lead = tokenFor(SECRET, { sub: 'u-lead-rate', name: 'Strategic lead', roles: ['strategic-lead'] });

  /** Waits for the start of a second, so that a short burst falls within one counting window. */
  async function startOfSecond(): Promise<void> {
    while (Date.now() % 1_000 > 100) await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000)));
  }

  /** Sends `count` GETs at once over `clients` in turn; says how many were let through, and whether the burst crossed a second. */
  async function burst(clients: readonly HttpClient[], token: string, count: number): Promise<{ replies: Reply<{ type?: string }>[]; windows: number }> {
    await startOfSecond();
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: count }, (_, i) => clients[i % clients.length]!.get<{ type?: string }>('/api/lpas', token)));
    return { replies, windows: Math.floor(Date.now() / 1_000) - Math.floor(started / 1_000) + 1 };
  }

  it('answers a user past the limit 429 with Retry-After, and lets another user through', async () => {
    const client = new HttpClient(port);
    try {
      const { replies, windows } = await burst([client], board, 12);
      const passed = replies.filter((reply) => reply.status === 200).length;
      const refused = replies.filter((reply) => reply.status === 429);
      expect(passed).toBeLessThanOrEqual(RATE_LIMIT * windows);
      expect(refused.length).toBe(12 - passed);
      expect(refused[0]!.headers['retry-after']).toMatch(/^[12]$/);
      expect(refused[0]!.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused[0]!.body.type).toMatch(/rate-limited$/);
      expect((await client.get('/api/lpas', lead)).status).toBe(200);
      // Health is not counted.
      expect((await client.get('/health/live')).status).toBe(200);
      printFigures(`rate limit: 12 requests at once by one user, ${passed} let through, ${refused.length} refused (429) within ${windows} second(s)`);
    } finally {
      client.close();
    }
  });

  it('counts a user across every instance of the api (one count in Redis)', async () => {
    const secondPort = await freePort();
    const second = startApp(API, {
      DATA_DIR: dataDir,
      PORT: String(secondPort),
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `api-e2e-${process.pid}`,
      AUTH_JWT_SECRET: SECRET,
      RATE_LIMIT_PER_SECOND: String(RATE_LIMIT),
    });
    await waitForStatus(secondPort, '/health/ready', 200, second);
    const clients = [new HttpClient(port), new HttpClient(secondPort)];
    try {
      const user = tokenFor(SECRET, { sub: 'u-two-instances', name: 'Board member', roles: ['board'] });
      const { replies, windows } = await burst(clients, user, 20);
      const passed = replies.filter((reply) => reply.status === 200).length;
      // Counted apart, each instance would let 5 of its 10 through in one second: 10 in all.
      expect(passed).toBeLessThanOrEqual(RATE_LIMIT * windows);
      if (windows === 1) expect(passed).toBe(RATE_LIMIT);
      printFigures(`rate limit: 20 requests at once over two api instances, ${passed} let through within ${windows} second(s)`);
    } finally {
      for (const client of clients) client.close();
      await second.stop('SIGTERM');
    }
  }, 60_000);
});
