import type { Kysely } from 'kysely';
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
 */
export async function lockCheckpoint(trx: Kysely<ReadModelSchema>, name: string): Promise<bigint> {
  await trx
    .insertInto('projection_checkpoints')
    .values({ name, position: 0 })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await trx
    .updateTable('projection_checkpoints')
    .set((eb) => ({ position: eb.ref('position') }))
    .where('name', '=', name)
    .returning('position')
    .executeTakeFirstOrThrow();
  return BigInt(row.position);
}

export async function writeCheckpoint(trx: Kysely<ReadModelSchema>, name: string, position: bigint): Promise<void> {
  await trx.updateTable('projection_checkpoints').set({ position: Number(position) }).where('name', '=', name).execute();
}
