/**
 * The idempotency records: one row per key scope, in the SQL database the API already has (the
 * read model's, SQLite or PostgreSQL). A row is first a claim (the request is in flight), then
 * the answer it got. Claims are taken with an insert that only one writer can win, and taken
 * over, once their lease has run out, with a compare-and-set on the claim's token.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Kysely, Migration } from 'kysely';
import { DATABASE, migrate, type SqlDatabase } from '@app/database';

export interface IdempotencyTables {
  idempotency_keys: {
    /** `idempotencyScope(...)`: a sha-256 in hex. */
    scope: string;
    /** `requestFingerprint(...)` of the first request with the key. */
    fingerprint: string;
    command_id: string;
    /** The token of the request holding the claim; null once the answer is stored. */
    claim: string | null;
    /** Milliseconds since the epoch: when the current claim was taken. */
    claimed_at: number;
    /** The answer's status; null while in flight. */
    status: number | null;
    /** The answer's body and headers, as JSON. */
    answer: string | null;
    completed_at: number | null;
  };
}

export const IDEMPOTENCY_MIGRATIONS: Record<string, Migration> = {
  '001-idempotency-keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('scope', 'text', (column) => column.primaryKey())
        .addColumn('fingerprint', 'text', (column) => column.notNull())
        .addColumn('command_id', 'text', (column) => column.notNull())
        .addColumn('claim', 'text')
        .addColumn('claimed_at', 'bigint', (column) => column.notNull())
        .addColumn('status', 'integer')
        .addColumn('answer', 'text')
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('idempotency_keys_claimed_at').on('idempotency_keys').column('claimed_at').execute();
    },
  },
};

/** A stored answer, replayed as it was. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export type ClaimOutcome =
  /** This request holds the key: run it with `commandId`, then `complete` or `release`. */
  | { readonly kind: 'claimed'; readonly token: string; readonly commandId: string; readonly takenOver: boolean }
  /** The key was answered: replay the answer. */
  | { readonly kind: 'answered'; readonly answer: StoredAnswer }
  /** The key was used for another request. */
  | { readonly kind: 'mismatch' }
  /** Another request holds the key, and its lease has not run out. */
  | { readonly kind: 'in-flight' };

export const IDEMPOTENCY_OPTIONS = Symbol.for('app.http.idempotency.options');

export interface IdempotencyOptions {
  /**
   * How long a claim holds before another request with the key may take it over: past it, the
   * first is presumed dead (a crash, a restart). Taking over is safe: the re-run has the same
   * command id, so it appends nothing its predecessor appended. Default 30 s.
   */
  readonly leaseMs?: number;
  /** How long a key is remembered (the draft's expiry policy). Default 24 hours. */
  readonly retentionMs?: number;
  /** Milliseconds since the epoch; the system clock unless a test says otherwise. */
  readonly now?: () => number;
}

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Claiming gives up after this many lost races for one key (each a change by another request). */
const MAX_CLAIM_ATTEMPTS = 5;

@Injectable()
export class IdempotencyStore implements OnModuleInit {
  readonly leaseMs: number;
  readonly retentionMs: number;
  private readonly db: Kysely<IdempotencyTables>;

  constructor(
    @Inject(DATABASE) database: SqlDatabase<IdempotencyTables>,
    @Inject(IDEMPOTENCY_OPTIONS) options: IdempotencyOptions = {},
  ) {
    this.db = database.db;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  async onModuleInit(): Promise<void> {
    await migrate(this.db as Kysely<unknown>, 'idempotency', IDEMPOTENCY_MIGRATIONS);
  }

  async claim(scope: string, fingerprint: string, commandId: string, now: number): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt += 1) {
      const token = randomUUID();
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({ scope, fingerprint, command_id: commandId, claim: token, claimed_at: now, status: null, answer: null, completed_at: null })
        .onConflict((conflict) => conflict.column('scope').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) return { kind: 'claimed', token, commandId, takenOver: false };

      const row = await this.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).executeTakeFirst();
      if (row === undefined) continue; // released since the insert: claim it again
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row.status !== null && row.answer !== null) {
        const { body, headers } = JSON.parse(row.answer) as { body: unknown; headers: Record<string, string> };
        return { kind: 'answered', answer: { status: row.status, body, headers } };
      }
      if (row.claim === null || now < Number(row.claimed_at) + this.leaseMs) return { kind: 'in-flight' };

      const taken = await this.db
        .updateTable('idempotency_keys')
        .set({ claim: token, claimed_at: now })
        .where('scope', '=', scope)
        .where('claim', '=', row.claim)
        .where('status', 'is', null)
        .executeTakeFirst();
      if (taken.numUpdatedRows === 1n) return { kind: 'claimed', token, commandId: row.command_id, takenOver: true };
    }
    return { kind: 'in-flight' };
  }

  /** Stores the answer of the claim `token` holds; false if the claim was taken over meanwhile. */
  async complete(scope: string, token: string, answer: StoredAnswer, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({
        claim: null,
        status: answer.status,
        answer: JSON.stringify({ body: answer.body ?? null, headers: answer.headers }),
        completed_at: now,
      })
      .where('scope', '=', scope)
      .where('claim', '=', token)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Gives the key up (the answer was not final): the next request with it runs afresh. */
  async release(scope: string, token: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('claim', '=', token).execute();
  }

  /** Forgets every key claimed before `now - retentionMs`; returns how many. */
  async purgeExpired(now: number): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('claimed_at', '<', now - this.retentionMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
