import { type Kysely, sql } from 'kysely';
import type { ReadModelSchema } from '../schema';

/** The name of the one projection that keeps the governance read model's tables. */
export const GOVERNANCE_PROJECTION = 'governance';

/** Where the projection stands: 0n before its first event. */
export async function readCheckpoint(db: Kysely<ReadModelSchema>, name = GOVERNANCE_PROJECTION): Promise<bigint> {
  const row = await db.selectFrom('projection_checkpoints').select('position').where('name', '=', name).executeTakeFirst();
  return BigInt(row?.position ?? 0);
}

/**
 * Reads the checkpoint inside a transaction and holds it until the transaction ends, so that two
 * projectors (or a projector and a rebuild) apply one batch at a time: a row lock on PostgreSQL,
 * the write lock on SQLite (taken by the first statement, so no snapshot can go stale under it).
 * One statement: the row is created at 0 if missing, else "updated" to itself, which takes the
 * lock and returns the position as the last writer committed it.
 */
export async function lockCheckpoint(trx: Kysely<ReadModelSchema>, name: string): Promise<bigint> {
  // Written out (the same in both dialects) rather than built: it runs once a batch.
  const { rows } = await sql<{ position: number }>`INSERT INTO projection_checkpoints (name, position) VALUES (${name}, 0)
    ON CONFLICT (name) DO UPDATE SET position = projection_checkpoints.position RETURNING position`.execute(trx);
  return BigInt(rows[0]!.position);
}
