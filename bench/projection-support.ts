/**
 * What the projection benchmarks (`bench:projections`, `bench:projections:live`) share: their
 * options, the recommendations they register and how their commands become events, the
 * timeline-shaped table their raw baselines insert into, the median of alternating rounds, and
 * how they run (PostgreSQL when it can be reached; their files removed afterwards).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  type CommandMetadata,
  type RecommendationCommand,
  type RecommendationEvent,
  type RecommendationState,
  type RegisterRecommendation,
  type Timescale,
  recommendationDecider,
} from '@app/domain';
import { TestDatabases } from '@app/database/testing/test-databases';
import type { Client } from 'pg';
import type { EventToAppend } from '@app/event-store';

/** BENCH_ROUNDS (3): rounds, alternating between baselines and ours. */
export const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_POSTGRES (1; 0 skips PostgreSQL). */
const withPostgres = process.env.BENCH_POSTGRES !== '0';

export const lead: Actor = { id: 'u-det-supt', name: 'Det Supt (strategic lead)', role: 'strategic-lead' };

/** The `n`th recommendation of a benchmark, registered by the strategic lead. */
export function registration(id: string, n: number, metadata: CommandMetadata, timescale: Timescale): RegisterRecommendation {
  return {
    type: 'RegisterRecommendation',
    ...metadata,
    id,
    inspectionId: `bench-${Math.floor(n / 11)}`,
    number: (n % 11) + 1,
    text: 'Within six months, forces should have in place active information-sharing agreements with other agencies.',
    addressee: 'forces',
    area: 'intelligence',
    timescale,
    publishedOn: '2017-10-24',
  };
}

/** `commands` decided by the domain in turn from `state`: the events a command handler would append, and the state after them. */
export function decideAll(
  state: RecommendationState,
  commands: readonly RecommendationCommand[],
): { readonly state: RecommendationState; readonly events: EventToAppend[] } {
  const events: EventToAppend[] = [];
  for (const command of commands) {
    for (const event of recommendationDecider.decide(command, state) as readonly RecommendationEvent[]) {
      state = recommendationDecider.evolve(state, event);
      events.push({
        id: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: { actor: command.actor, correlationId: randomUUID(), causationId: randomUUID(), occurredAt: command.now },
      });
    }
  }
  return { state, events };
}

/** Appends kept in flight together, up to 200, as concurrent requests would be: the store commits them in groups. */
export class InFlight {
  private readonly pending: Promise<unknown>[] = [];

  async add(append: Promise<unknown>): Promise<void> {
    this.pending.push(append);
    if (this.pending.length >= 200) await Promise.all(this.pending.splice(0));
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending.splice(0));
  }
}

/** A table of the timeline's shape (no secondary index): where the raw baselines write one row per event. */
export const TIMELINE_DDL = (int8: string): string => `CREATE TABLE timeline (position ${int8} PRIMARY KEY, event_id text NOT NULL, stream_id text NOT NULL,
  revision integer NOT NULL, type text NOT NULL, occurred_at text, recorded_at ${int8} NOT NULL, actor text, data text NOT NULL)`;

/** Timeline-shaped rows (their values in column order) in one multi-row INSERT, in a transaction of its own, with node-postgres. */
export async function insertTimelineRows(client: Client, rows: readonly (readonly unknown[])[]): Promise<void> {
  const placeholders = rows.map((_, r) => `(${Array.from({ length: 9 }, (__, c) => `$${r * 9 + c + 1}`).join(', ')})`);
  await client.query('BEGIN');
  await client.query(`INSERT INTO timeline VALUES ${placeholders.join(', ')}`, rows.flat());
  await client.query('COMMIT');
}

/** What a round measured: `events` handled by the work named `label`. */
export interface Measured {
  readonly label: string;
  readonly events: number;
}

/** The median of `figures` by `score` (the middle one of an odd count, the better middle one of an even count). */
export function medianBy<T>(figures: readonly T[], score: (figure: T) => number): T {
  const sorted = [...figures].sort((a, b) => score(b) - score(a));
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The PostgreSQL part of a benchmark, given fresh databases on the tests' server
 * (TEST_POSTGRES_URL), all dropped afterwards; skipped with BENCH_POSTGRES=0, and said to be
 * skipped when the server cannot be reached.
 */
export async function onPostgres(work: (databases: TestDatabases) => Promise<void>): Promise<void> {
  if (!withPostgres) return;
  const databases = new TestDatabases();
  try {
    await work(databases);
  } catch (error) {
    console.log(`\nPostgreSQL skipped: ${error instanceof Error ? error.message : String(error)} (set BENCH_POSTGRES=0 to skip it on purpose)`);
  } finally {
    await databases.dropAll().catch(() => undefined);
  }
}

/** Runs a benchmark's `main` in a new folder under BENCH_DIR (default: the OS temp folder), removed afterwards. */
export function runBench(name: string, main: (folder: string) => Promise<void>): void {
  const folder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), `${name}-`));
  main(folder)
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => rmSync(folder, { recursive: true, force: true }));
}
