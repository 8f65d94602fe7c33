/**
 * The tasking flow over HTTP, against the running standalone app (api, projector and worker in one
 * process; SQLite; Redis on 127.0.0.1:6379 under a prefix of this file's own), as issue 4 asks:
 * a tasking to two LPAs reaches both queues and each LPA answers its own; a refreshed intelligence
 * requirement tasks the three LPAs it names; an audit finding tasks its LPA, and a rejected
 * correction tasks it again; a tasking nobody acknowledges escalates (ESCALATION_URGENT is one
 * second here); /metrics shows the queues and the followers. The queues are looked at with BullMQ
 * itself: a job is in the LPA's queue under the id of the event that issued it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FORCE_PEOPLE, type Person, tokensOf } from './support/people';
import { HttpClient } from './support/http-client';
import { freePort, type RunningProcess, startApp, startRedis, waitForStatus } from './support/processes';

const STANDALONE = 'dist/apps/standalone/src/main.js';
const SECRET = `tasking-flow-e2e-${randomUUID()}`;
const PREFIX = `tasking-flow-e2e-${process.pid}`;
const REDIS = { host: '127.0.0.1', port: 6379 };
const DUE_AT = '2099-01-31T17:00:00Z';

const PEOPLE = {
  ...FORCE_PEOPLE,
} as const satisfies Record<string, Person>;
type Who = keyof typeof PEOPLE;
const TOKENS = tokensOf(SECRET, PEOPLE);

interface HistoryEvent {
  readonly eventId: string;
  readonly type: string;
  readonly stream: string;
  readonly actor: { id: string; role: string };
  readonly data: Record<string, unknown>;
}

let dataDir: string;
let app: RunningProcess;
let http: HttpClient;
const queues = new Map<string, Queue>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tasking-flow-e2e-'));
  const port = await freePort();
  app = startApp(STANDALONE, {
    DATA_DIR: dataDir,
    PORT: String(port),
    AUTH_JWT_SECRET: SECRET,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: PREFIX,
    ESCALATION_URGENT: '1s',
  });
  await waitForStatus(port, '/health/ready', 200, app);
  http = new HttpClient(port);
}, 60_000);

afterAll(async () => {
  http?.close();
  await app?.stop('SIGKILL');
  await Promise.all([...queues.values()].map((q) => q.close()));
  const redis = new Redis(REDIS);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

function queue(name: string): Queue {
  let found = queues.get(name);
  if (!found) {
    found = new Queue(name, { connection: REDIS, prefix: PREFIX });
    queues.set(name, found);
  }
  return found;
}

/** Polls `read` until `done` holds of what it gives, for up to 15 s. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 15_000; ; ) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: last saw ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The log's events of one stream (the global history, as the board reads it), at least up to `position`. */
async function events(stream: string, position?: string): Promise<HistoryEvent[]> {
  const reply = await http.get<{ items: HistoryEvent[] }>(`/api/history?stream=${encodeURIComponent(stream)}${position === undefined ? '' : `&position=${position}`}`, TOKENS.board);
  expect(reply.status).toBe(200);
  return reply.body.items;
}

const typesOf = async (stream: string, position?: string): Promise<string[]> => (await events(stream, position)).map((event) => event.type);

/** The taskings issued from a source (requirement or finding), as their TaskingIssued events. */
async function issuedFrom(sourceId: string): Promise<HistoryEvent[]> {
  const reply = await http.get<{ items: HistoryEvent[] }>('/api/history?type=TaskingIssued&limit=1000', TOKENS.board);
  return reply.body.items.filter((event) => (event.data.source as { id?: string } | null)?.id === sourceId);
}

describe('a tasking to two LPAs', () => {
  it('reaches both LPAs\' queues, once each, and each LPA acknowledges and completes its own', async () => {
    const issued = await http.post<{ taskings: Array<{ id: string; lpa: string }> }>('/api/taskings', TOKENS.intelligence, {
      lpas: ['shropshire', 'telford-and-wrekin'],
      title: 'Car washes on the A5',
      instructions: 'Visit the car washes on the A5 and report indicators of labour exploitation.',
      priority: 'high',
      dueAt: DUE_AT,
    });
    expect(issued.status).toBe(201);

    for (const { id, lpa } of issued.body.taskings) {
      const who: Who = lpa === 'shropshire' ? 'shropshire' : 'telford';
      const [issue] = await eventually(`${id} issued in the log`, () => events(`tasking-${id}`), (found) => found.length > 0);
      // The job in the LPA's own queue carries the id of the event that issued the tasking.
      const job = await eventually(`${id}'s job`, () => queue(`lpa-${lpa}`).getJob(issue!.eventId), (found) => found !== undefined);
      expect(job!.data).toEqual({ taskingId: id, lpa });
      await eventually(`${id} delivered`, () => typesOf(`tasking-${id}`), (types) => types.includes('TaskingDelivered'));

      expect((await http.post(`/api/taskings/${id}/acknowledgement`, TOKENS[who], { note: 'DS to lead.' })).status).toBe(200);
      const completed = await http.post<{ position: string }>(`/api/taskings/${id}/completion`, TOKENS[who], { outcome: 'Two premises visited; one referral.', refs: ['22/45678/17'] });
      expect(completed.status).toBe(200);
      expect(await typesOf(`tasking-${id}`, completed.body.position)).toEqual(['TaskingIssued', 'TaskingDelivered', 'TaskingAcknowledged', 'TaskingCompleted']);
    }
    // Each queue holds its own LPA's job only.
    const [shropshire, telford] = issued.body.taskings;
    const shropshireJobs = await queue('lpa-shropshire').getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    const queued = shropshireJobs.map((job) => (job.data as { taskingId: string }).taskingId);
    expect(queued).toContain(shropshire!.id);
    expect(queued).not.toContain(telford!.id);
  });
});

describe('an intelligence requirement refreshed for three LPAs', () => {
  it('makes version 2 and three taskings, each delivered to its LPA, and version 1 stays readable', async () => {
    const id = `labour-exploitation-${randomUUID().slice(0, 8)}`;
    const lpas = ['shropshire', 'telford-and-wrekin', 'herefordshire'];
    expect((await http.post('/api/intelligence-requirements', TOKENS.intelligence, { id, title: 'Labour exploitation', priority: 'modern-slavery', questions: ['Where?'], rag: 'amber', rationale: 'Little known.' })).status).toBe(201);
    const refreshed = await http.post<{ version: number }>(`/api/intelligence-requirements/${id}/refresh`, TOKENS.lead, {
      questions: ['Where are car washes with indicators of labour exploitation?', 'Which employers use gangmasters?'],
      rag: 'red',
      rationale: 'Each LPA to report (refreshed July 2017).',
      lpas,
      dueAt: DUE_AT,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.version).toBe(2);

    const taskings = await eventually('three taskings', () => issuedFrom(id), (found) => found.length === 3);
    expect(taskings.map((event) => event.data.lpa).sort()).toEqual([...lpas].sort());
    for (const event of taskings) {
      expect(event.data).toMatchObject({ source: { kind: 'intelligence-requirement', id, version: 2 }, priority: 'high', dueAt: DUE_AT });
      // In the name of who refreshed it.
      expect(event.actor).toMatchObject({ id: PEOPLE.lead.sub, role: 'strategic-lead' });
      await eventually('delivered', () => typesOf(event.stream), (types) => types.includes('TaskingDelivered'));
    }
    const first = await http.get<{ version: number; questions: string[] }>(`/api/intelligence-requirements/${id}?version=1`, TOKENS.board);
    expect(first.body).toMatchObject({ version: 1, questions: ['Where?'] });
  });
});

describe('an audit finding', () => {
  it('tasks its LPA with the correction; done, the finding is corrected; a rejected verification tasks the LPA again', async () => {
    const recorded = await http.post<{ id: string }>('/api/audit-findings', TOKENS.registrar, {
      auditId: 'modern-slavery-crime-recording-2017',
      lpa: 'shropshire',
      category: 'nrm-not-crimed',
      severity: 'high',
      finding: 'An NRM referral was made but no crime was recorded within 72 hours.',
      recordRef: '22/12345/17',
      correctionDueAt: DUE_AT,
    });
    expect(recorded.status).toBe(201);
    const findingId = recorded.body.id;

    const [first] = await eventually('the correction tasking', () => issuedFrom(findingId), (found) => found.length === 1);
    expect(first!.data).toMatchObject({ lpa: 'shropshire', source: { kind: 'audit-finding', id: findingId, version: 0 } });
    const firstId = first!.data.taskingId as string;
    await eventually('delivered', () => typesOf(`tasking-${firstId}`), (types) => types.includes('TaskingDelivered'));
    // Telford's user cannot touch it; Shropshire's completes it.
    expect((await http.post(`/api/taskings/${firstId}/completion`, TOKENS.telford, { outcome: 'Recorded.' })).status).toBe(404);
    expect((await http.post(`/api/taskings/${firstId}/completion`, TOKENS.shropshire, { outcome: 'Crime recorded.', refs: ['22/12345/17'] })).status).toBe(200);
    await eventually('the finding corrected', () => typesOf(`finding-${findingId}`), (types) => types.includes('AuditFindingCorrected'));

    const rejected = await http.post(`/api/audit-findings/${findingId}/verification`, TOKENS.registrar, { outcome: 'rejected', note: 'Classified as the wrong offence.' });
    expect(rejected.status).toBe(200);
    const both = await eventually('a second correction tasking', () => issuedFrom(findingId), (found) => found.length === 2);
    expect(both[1]!.data).toMatchObject({ lpa: 'shropshire', source: { kind: 'audit-finding', id: findingId, version: 1 } });
    expect(both[1]!.data.taskingId).not.toBe(firstId);
  });
});

describe('escalation', () => {
  it('raises the flag of an urgent tasking not acknowledged within its time (1 s here), as the system', async () => {
    const issued = await http.post<{ taskings: Array<{ id: string }> }>('/api/taskings', TOKENS.lead, {
      lpas: ['herefordshire'],
      title: 'Suspected cannabis farm: possible trafficked gardener',
      instructions: 'Attend today.',
      priority: 'urgent',
      dueAt: DUE_AT,
    });
    const id = issued.body.taskings[0]!.id;
    const history = await eventually('escalated', () => events(`tasking-${id}`), (found) => found.some((event) => event.type === 'TaskingEscalated'));
    const escalated = history.find((event) => event.type === 'TaskingEscalated')!;
    expect(escalated.actor.role).toBe('system');
    expect(escalated.data).toMatchObject({ taskingId: id, lpa: 'herefordshire', priority: 'urgent' });
    const view = await http.get<{ escalated: boolean }>(`/api/taskings/${id}`, TOKENS.board);
    expect(view.body.escalated).toBe(true);
  });
});

describe('/metrics', () => {
  it('gives the followers\' lag, each LPA queue\'s jobs by state, the owed dispatches and the escalations, to an admin only', async () => {
    const reply = await eventually(
      'metrics with an escalation',
      () => http.get('/metrics', TOKENS.admin),
      (found) => /^taskings_escalated [1-9]/m.test(found.text),
    );
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const follower of ['governance', 'process-managers', 'tasking-dispatcher']) {
      expect(reply.text).toMatch(new RegExp(`^follower_lag_positions\\{follower="${follower}"\\} \\d+$`, 'm'));
    }
    expect(reply.text).toMatch(/^tasking_queue_jobs\{queue="lpa-shropshire",lpa="shropshire",state="completed"\} [1-9]\d*$/m);
    expect(reply.text).toMatch(/^tasking_queue_jobs\{queue="lpa-south-worcestershire",lpa="south-worcestershire",state="failed"\} 0$/m);
    expect(reply.text).toMatch(/^tasking_queue_jobs\{queue="escalations",state="delayed"\} \d+$/m);
    expect(reply.text).toMatch(/^tasking_dispatches_owed\{kind="delivery"\} \d+$/m);
    expect(reply.text).toMatch(/^metrics_source_up\{source="queues"\} 1$/m);
    expect((await http.get('/metrics')).status).toBe(401);
    for (const who of ['board', 'shropshire', 'lead'] as const) expect((await http.get('/metrics', TOKENS[who])).status).toBe(403);
  });
});

describe('while Redis is away', () => {
  it('accepts taskings (the rate limit lets them through), and hands them to their LPA once Redis is back, with nothing lost', async () => {
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    const folder = mkdtempSync(join(tmpdir(), 'tasking-flow-redis-e2e-'));
    const port = await freePort();
    // With the rate limit on: it counts in Redis, and lets requests through while Redis is away.
    const alone = startApp(STANDALONE, { DATA_DIR: folder, PORT: String(port), AUTH_JWT_SECRET: SECRET, REDIS_URL: `redis://127.0.0.1:${redisPort}`, QUEUE_PREFIX: PREFIX, RATE_LIMIT_PER_SECOND: '100' });
    const client = new HttpClient(port);
    try {
      await waitForStatus(port, '/health/ready', 200, alone);
      await redis.stop('SIGTERM');
      await waitForStatus(port, '/health/ready', 503, alone);

      const issued = await client.post<{ taskings: Array<{ id: string }> }>('/api/taskings', TOKENS.lead, {
        lpas: ['north-worcestershire', 'south-worcestershire'],
        title: 'Nail bars in Redditch and Worcester',
        instructions: 'Report indicators of exploitation.',
        priority: 'routine',
        dueAt: DUE_AT,
      });
      expect(issued.status).toBe(201);
      const metrics = await client.get('/metrics', TOKENS.admin);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^metrics_source_up\{source="queues"\} 0$/m);
      expect(metrics.text).toMatch(/^metrics_source_up\{source="event-store"\} 1$/m);
      expect(metrics.text).toMatch(/^follower_lag_positions\{follower="governance"\} \d+$/m);

      redis = await startRedis(redisPort);
      await waitForStatus(port, '/health/ready', 200, alone);
      for (const { id } of issued.body.taskings) {
        const reply = await eventually(
          `${id} delivered`,
          () => client.get<{ items: HistoryEvent[] }>(`/api/history?stream=tasking-${id}`, TOKENS.board),
          (found) => found.body.items.some((event) => event.type === 'TaskingDelivered'),
        );
        expect(reply.body.items.map((event) => event.type)).toEqual(['TaskingIssued', 'TaskingDelivered']);
      }
    } finally {
      client.close();
      await alone.stop('SIGKILL');
      await redis.stop('SIGTERM');
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
