/**
 * The built api as a real process: its HTTP conventions where they show without any command
 * route yet (OpenAPI at /docs, problem+json for an unknown route, health without a token).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, get, type RunningProcess, startApp, stopAll, waitForStatus } from './support/processes';

const API = 'dist/apps/api/src/main.js';

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
  });
  await waitForStatus(port, '/health/live', 200, app);
});

afterAll(async () => {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

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
