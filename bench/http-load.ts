/**
 * A small HTTP load generator for the benchmarks (no autocannon): `connections` keep-alive
 * connections to 127.0.0.1, each with one request in flight at a time (closed loop), for a fixed
 * time and at most a fixed number of requests. Latency is measured per request, from the write
 * of the request to the end of the answer's body.
 */
import { Agent, request } from 'node:http';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

export interface LoadOptions {
  readonly port: number;
  readonly connections: number;
  /** Measured time; requests still in flight at the end are awaited and counted. */
  readonly durationMs: number;
  /** Unmeasured time before it, on the same connections. */
  readonly warmUpMs?: number;
  /** Bound on the requests of the measured part (and, apart, of the warm-up). */
  readonly maxRequests?: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The n-th request (counted from 0 across warm-up and measurement). */
  readonly next: (n: number) => LoadRequest;
  /** A request that takes longer is an error. */
  readonly timeoutMs?: number;
  /** Called once the warm-up is over, right before the measured part. */
  readonly onMeasureStart?: () => void;
}

export interface LoadResult {
  /** Answers in the measured part. */
  readonly requests: number;
  /** Of those, 2xx. */
  readonly ok: number;
  /** Non-2xx answers and failed requests, warm-up included. */
  readonly errors: number;
  /** 2xx answers in the warm-up. */
  readonly warmUpOk: number;
  readonly seconds: number;
  /** Latencies of the measured answers, in milliseconds, sorted. */
  readonly latenciesMs: Float64Array;
  /** Status (or error code) → count, warm-up included. */
  readonly statuses: ReadonlyMap<string, number>;
  /** A few non-2xx answers, for the report. */
  readonly samples: readonly string[];
  /** CPU time of this (client) process over the measured part, in seconds. */
  readonly clientCpuSeconds: number;
}

interface Answer {
  readonly status: string;
  readonly ms: number;
  readonly text: string;
}

/** One request on `agent`; never rejects (a failure is an answer with its error code). */
function send(
  agent: Agent,
  port: number,
  req: LoadRequest,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
  keepBody = false,
): Promise<Answer> {
  return new Promise((resolve) => {
    const start = performance.now();
    let settled = false;
    const done = (status: string, text: string): void => {
      if (settled) return;
      settled = true;
      resolve({ status, ms: performance.now() - start, text });
    };
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        const status = String(res.statusCode ?? 0);
        const keep = keepBody || !status.startsWith('2');
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          // Under load, bodies of successes are read and dropped; those of failures kept for the report.
          if (keep && text.length < 100_000) text += chunk;
        });
        res.on('end', () => done(status, text));
        res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'ERROR', error.message));
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    outgoing.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'ERROR', error.message));
    outgoing.end(body);
  });
}

/** A single request on a connection of its own: for setup and checks. */
export async function once(port: number, req: LoadRequest, headers: Readonly<Record<string, string>>): Promise<{ status: number; body: unknown }> {
  const agent = new Agent({ keepAlive: false });
  try {
    const answer = await send(agent, port, req, headers, 30_000, true);
    let body: unknown = answer.text;
    try {
      body = JSON.parse(answer.text);
    } catch {
      // Not JSON: the text is what the caller sees.
    }
    return { status: Number(answer.status) || 0, body };
  } finally {
    agent.destroy();
  }
}

/**
 * Runs `items` (at most `concurrency` at once) through `work`, on one keep-alive agent; for the
 * setup of a benchmark. Rejects with the first failure.
 */
export async function pool<T>(port: number, concurrency: number, items: readonly T[], headers: Readonly<Record<string, string>>, toRequest: (item: T) => LoadRequest): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, items.length) }, async () => {
        while (next < items.length) {
          const item = items[next]!;
          next += 1;
          const answer = await send(agent, port, toRequest(item), headers, 60_000);
          if (!answer.status.startsWith('2')) throw new Error(`${toRequest(item).path}: ${answer.status} ${answer.text}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRequests = options.maxRequests ?? 1_000_000;
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections });
  const statuses = new Map<string, number>();
  const samples: string[] = [];
  let errors = 0;
  let sent = 0;
  const count = (answer: Answer): boolean => {
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const ok = answer.status.startsWith('2');
    if (!ok) {
      errors += 1;
      if (samples.length < 5) samples.push(`${answer.status} ${answer.text.slice(0, 300)}`);
    }
    return ok;
  };

  try {
    // Warm-up: the connections open, both processes' code warms, then the measured part starts
    // on the same connections once every warm-up request has been answered.
    let warmUpOk = 0;
    if ((options.warmUpMs ?? 0) > 0) {
      const until = performance.now() + options.warmUpMs!;
      let warmUpSent = 0;
      await Promise.all(
        Array.from({ length: options.connections }, async () => {
          while (performance.now() < until && warmUpSent < maxRequests) {
            warmUpSent += 1;
            const answer = await send(agent, options.port, options.next(sent++), options.headers, timeoutMs);
            if (count(answer)) warmUpOk += 1;
          }
        }),
      );
    }

    const latencies = new Float64Array(maxRequests);
    let requests = 0;
    let ok = 0;
    options.onMeasureStart?.();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const until = start + options.durationMs;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < until && requests < maxRequests) {
          const slot = requests;
          requests += 1;
          const answer = await send(agent, options.port, options.next(sent++), options.headers, timeoutMs);
          latencies[slot] = answer.ms;
          if (count(answer)) ok += 1;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      requests,
      ok,
      errors,
      warmUpOk,
      seconds,
      latenciesMs: latencies.slice(0, requests).sort(),
      statuses,
      samples,
      clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    agent.destroy();
  }
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
