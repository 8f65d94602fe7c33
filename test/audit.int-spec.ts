/**
 * `npm run audit` (scripts/audit.ts) reads npm audit's report rightly: a high or critical finding
 * fails it and is named, a moderate one passes, an npm set to work offline still asks, an audit
 * endpoint that refuses (as this machine's registry access does) or does not answer is "nothing was
 * checked" (69), not a pass, and npm failing for another reason is a failure. npm audit runs for
 * real, against a registry stand-in on 127.0.0.1 that answers its advisory query as each case needs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from './support/processes';

type Answer = { readonly status: number; readonly advisories?: Record<string, unknown[]> };

let server: Server;
let answer: Answer;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      // npm also asks for the packuments of vulnerable packages; a 404 leaves its fix advice empty.
      if (!request.url?.includes('/-/npm/v1/security/advisories/bulk')) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.status === 200 ? JSON.stringify(answer.advisories ?? {}) : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/**
 * Runs `npm run audit`'s script in `cwd` (the repository, or a folder without a lockfile), against
 * the stand-in, or against `registry` when given (one where nothing listens, say).
 */
function audit(options: { cwd?: string; registry?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; output: string }> {
  const registry = options.registry ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // A cache of its own: npm keeps the advisories it was given, and the next case's would be ignored.
  const cache = mkdtempSync(join(tmpdir(), 'audit-cache-'));
  const env = { ...process.env, npm_config_registry: registry, npm_config_cache: cache, npm_config_fetch_retries: '0', ...options.env };
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), join(ROOT, 'scripts/audit.ts')], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  }).finally(() => rmSync(cache, { recursive: true, force: true }));
}

const advisory = (severity: string) => ({ id: 1, url: 'https://advisories.test/1', title: 'Command injection', severity, vulnerable_versions: '<1000.0.0', cwe: [], cvss: {} });

describe('npm run audit', () => {
  it('fails on a high finding, naming the package and the advisory', async () => {
    answer = { status: 200, advisories: { ioredis: [advisory('high')] } };
    const { code, output } = await audit();
    expect(code).toBe(1);
    expect(output).toMatch(/[1-9]\d* high/);
    expect(output).toContain('high: ioredis (Command injection https://advisories.test/1)');
  }, 60_000);

  it('passes with moderate findings only, and counts them', async () => {
    answer = { status: 200, advisories: { ioredis: [advisory('moderate')] } };
    const { code, output } = await audit();
    expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/npm audit: 0 info, 0 low, [1-9]\d* moderate, 0 high, 0 critical/) });
  }, 60_000);

  it('asks the registry even where npm is set to work offline (which would report nothing found)', async () => {
    answer = { status: 200, advisories: { ioredis: [advisory('critical')] } };
    const { code, output } = await audit({ env: { npm_config_offline: 'true' } });
    expect(code).toBe(1);
    expect(output).toContain('critical: ioredis');
  }, 60_000);

  it('says nothing was checked when the audit endpoint refuses, or nothing answers, and exits 69', async () => {
    answer = { status: 405 };
    const refused = await audit();
    expect(refused.code).toBe(69);
    expect(refused.output).toContain('405 Method Not Allowed');
    expect(refused.output).toContain('nothing was checked');
    const silent = await audit({ registry: `http://127.0.0.1:${await freePort()}/` });
    expect(silent).toEqual({ code: 69, output: expect.stringContaining('ECONNREFUSED') });
  }, 60_000);

  it('fails, not "unavailable", when npm audit itself fails (no lockfile)', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'audit-no-lockfile-'));
    try {
      writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare', version: '1.0.0', dependencies: { ioredis: '*' } }));
      const { code, output } = await audit({ cwd: bare });
      expect({ code, output }).toEqual({ code: 1, output: expect.stringContaining('npm audit failed: ENOLOCK') });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 60_000);
});
