/**
 * `npm run audit` (scripts/audit.ts) reads npm audit's report rightly: a high finding fails it and
 * is named, a clean report passes, and an audit endpoint that refuses (as this machine's registry
 * access does) is "nothing was checked", not a pass. npm audit runs for real, against a registry
 * stand-in on 127.0.0.1 that answers its advisory query as each case needs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/processes';

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

function audit(): Promise<{ code: number | null; output: string }> {
  const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // A cache of its own: npm keeps the advisories it was given, and the next case's would be ignored.
  const cache = mkdtempSync(join(tmpdir(), 'audit-cache-'));
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'audit'], { cwd: ROOT, env: { ...process.env, npm_config_registry: registry, npm_config_cache: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('says nothing was checked when the audit endpoint refuses, and exits 69', async () => {
    answer = { status: 405 };
    const { code, output } = await audit();
    expect(code).toBe(69);
    expect(output).toContain('nothing was checked');
  }, 60_000);
});
