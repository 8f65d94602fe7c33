import type { Dialect } from '@app/database';
import { CompiledQuery, type Kysely } from 'kysely';
import type { ReadModelSchema } from '../schema';
import { storable } from './values';

/** The tables a batch writes. */
type WrittenTable = keyof ReadModelSchema;
type Column<Table extends WrittenTable> = keyof ReadModelSchema[Table] & string;
/** A row, or some of its columns, as the writes hold them: read column by column (valueOf). */
type Row = object;
const valueOf = (row: Row, column: string): unknown => (row as Record<string, unknown>)[column];

/** Each table's columns, in the order statements name them, and the columns of its key. */
const TABLES: { readonly [Table in WrittenTable]: { readonly columns: readonly Column<Table>[]; readonly key: readonly Column<Table>[] } } = {
  timeline: {
    columns: ['position', 'event_id', 'stream_id', 'revision', 'type', 'occurred_at', 'recorded_at', 'actor', 'data'],
    key: ['position'],
  },
  recommendations: {
    columns: [
      'id',
      'inspection_id',
      'number',
      'text',
      'addressee',
      'area',
      'timescale',
      'status',
      'owner_id',
      'owner_name',
      'due_on',
      'original_due_on',
      'revision',
      'position',
      'registered_position',
      'state',
    ],
    key: ['id'],
  },
  recommendation_actions: {
    columns: ['recommendation_id', 'ordinal', 'action_id', 'description', 'owner_id', 'due_on', 'lpa', 'status', 'state'],
    key: ['recommendation_id', 'ordinal'],
  },
  inspections: {
    columns: ['id', 'title', 'inspectorate', 'published_on', 'recommendation_count', 'revision', 'position', 'registered_position', 'state'],
    key: ['id'],
  },
  taskings: {
    columns: [
      'id',
      'lpa',
      'status',
      'escalated',
      'priority',
      'source_kind',
      'source_id',
      'delivered_at',
      'revision',
      'position',
      'registered_position',
      'state',
    ],
    key: ['id'],
  },
  audit_findings: {
    columns: ['id', 'lpa', 'status', 'severity', 'category', 'revision', 'position', 'registered_position', 'state'],
    key: ['id'],
  },
  projection_checkpoints: { columns: ['name', 'position'], key: ['name'] },
};

/**
 * One statement's worth of rows: new rows inserted whole; stored rows updated in some columns
 * (each row holds its key and those columns); stored rows deleted (each row holds its key).
 */
export interface RowWrite {
  readonly kind: 'insert' | 'update' | 'delete';
  readonly table: WrittenTable;
  /** The columns each row gives values of, the key's first. */
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

/**
 * What a batch writes, gathered before any statement runs, so that each dialect can send it in
 * as few statements as it allows. Only what differs from what is stored is written: a stored
 * row is updated in the columns that changed, rows changed in the same columns sharing one
 * statement.
 */
export class RowWrites {
  private readonly writes = new Map<string, RowWrite & { readonly rows: Row[] }>();

  insert<Table extends WrittenTable>(table: Table, row: ReadModelSchema[Table]): void {
    this.add(`insert ${table}`, 'insert', table, TABLES[table].columns, row);
  }

  /**
   * `after`, stored as `before`: updates the columns whose values differ, if any. Values are
   * compared as they are, before `storable`: a difference it would erase costs a write, never a
   * wrong row.
   */
  update<Table extends WrittenTable>(table: Table, before: Partial<ReadModelSchema[Table]>, after: Partial<ReadModelSchema[Table]>): void {
    const { columns, key } = TABLES[table];
    const changed = columns.filter((column) => !key.includes(column) && column in after && valueOf(before, column) !== valueOf(after, column));
    if (changed.length > 0) this.add(`update ${table} ${changed.join(',')}`, 'update', table, [...key, ...changed], after);
  }

  delete<Table extends WrittenTable>(table: Table, key: Partial<ReadModelSchema[Table]>): void {
    this.add(`delete ${table}`, 'delete', table, TABLES[table].key, key);
  }

  /** In the order first asked for. */
  list(): readonly RowWrite[] {
    return [...this.writes.values()];
  }

  /** Adds `row` to the write called `name` (its kind, table and columns), begun if need be. */
  private add(name: string, kind: RowWrite['kind'], table: WrittenTable, columns: readonly string[], row: Row): void {
    let write = this.writes.get(name);
    if (!write) {
      write = { kind, table, columns, rows: [] };
      this.writes.set(name, write);
    }
    write.rows.push(row);
  }
}

/**
 * Runs `writes` in the transaction `trx`, and checks that each wrote every row it was given:
 * an update or a delete that finds fewer rows than it was given means the read model is not
 * what the batch was computed from, and the batch must not commit.
 *
 * Written here rather than by Kysely's query builder, whose node per value cost as much as
 * reading the log; values stay parameters. On PostgreSQL every write is one part of a single
 * statement (data-modifying WITH queries), its rows unpacked by the server from one JSON
 * parameter or one array a column (see ARRAYS_FROM_ROWS): one round trip a batch, and no plan of
 * thousands of parameters. On
 * SQLite, which has no such statements, one statement a write and 500 rows at most, its values
 * bound one by one; `OR FAIL` spares SQLite a statement journal (a failure rolls back the whole
 * transaction anyway).
 */
export async function executeWrites(trx: Kysely<ReadModelSchema>, dialect: Dialect, writes: readonly RowWrite[]): Promise<void> {
  const given = writes.map((write) => ({ ...write, rows: write.rows.map(storable) })).filter((write) => write.rows.length > 0);
  if (given.length === 0) return;
  if (dialect === 'postgres') {
    await executeOnPostgres(trx, given);
    return;
  }
  for (const write of given) {
    for (let start = 0; start < write.rows.length; start += SQLITE_ROWS_PER_STATEMENT) {
      const rows = write.rows.slice(start, start + SQLITE_ROWS_PER_STATEMENT);
      const parameters: unknown[] = [];
      for (const row of rows) {
        for (const column of write.columns) parameters.push(valueOf(row, column) ?? null);
      }
      const result = await trx.executeQuery(CompiledQuery.raw(sqliteStatement(write, rows.length), parameters));
      expectWritten(write, rows.length, Number(result.numAffectedRows ?? 0));
    }
  }
}

/** Rows per SQLite statement: 16 columns of 500 rows stay well inside its 32,766 bound parameters. */
const SQLITE_ROWS_PER_STATEMENT = 500;

function sqliteStatement(write: RowWrite, rowCount: number): string {
  const table = quote(write.table);
  const columns = write.columns.map(quote).join(', ');
  const tuples = Array.from({ length: rowCount }, () => `(${write.columns.map(() => '?').join(', ')})`).join(', ');
  const { key } = TABLES[write.table];
  switch (write.kind) {
    case 'insert':
      return `INSERT OR FAIL INTO ${table} (${columns}) VALUES ${tuples}`;
    case 'update':
      return `WITH v(${columns}) AS (VALUES ${tuples}) UPDATE OR FAIL ${table} SET ${assignments(write)} FROM v WHERE ${keyMatch(write.table)}`;
    case 'delete':
      return `WITH v(${columns}) AS (VALUES ${tuples}) DELETE FROM ${table} WHERE (${key.map(quote).join(', ')}) IN (SELECT ${columns} FROM v)`;
  }
}

async function executeOnPostgres(trx: Kysely<ReadModelSchema>, writes: readonly RowWrite[]): Promise<void> {
  const parameters: unknown[] = [];
  const parts = writes.map((write, n) => {
    const table = quote(write.table);
    const columns = write.columns.map(quote).join(', ');
    const rows = write.rows.length >= ARRAYS_FROM_ROWS ? asArrays(write, parameters) : asJson(write, parameters);
    switch (write.kind) {
      case 'insert':
        return `w${n} AS (INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${rows} RETURNING 1)`;
      case 'update':
        return `w${n} AS (UPDATE ${table} SET ${assignments(write)} FROM ${rows} WHERE ${keyMatch(write.table)} RETURNING 1)`;
      case 'delete':
        return `w${n} AS (DELETE FROM ${table} USING ${rows} WHERE ${keyMatch(write.table)} RETURNING 1)`;
    }
  });
  const counts = writes.map((_, n) => `(SELECT count(*) FROM w${n}) AS w${n}`).join(', ');
  const result = await trx.executeQuery<Record<string, number>>(CompiledQuery.raw(`WITH ${parts.join(', ')} SELECT ${counts}`, parameters));
  const written = result.rows[0]!;
  writes.forEach((write, n) => expectWritten(write, write.rows.length, Number(written[`w${n}`])));
}

/**
 * Rows from which a write is sent as arrays rather than JSON. The server reads arrays faster than
 * JSON (a rebuild's batches go some 15% faster), but node-postgres builds them in JavaScript, at a
 * cost to this process that JSON.stringify does not have: a live batch's few rows go as JSON.
 */
const ARRAYS_FROM_ROWS = 32;

/** The rows as one array parameter a column, of the column's type, unpacked side by side by the server (`v`). */
function asArrays(write: RowWrite, parameters: unknown[]): string {
  const arrays = write.columns.map((column) => {
    parameters.push(write.rows.map((row) => valueOf(row, column) ?? null));
    return `$${parameters.length}::${POSTGRES_TYPES[column] ?? 'text'}[]`;
  });
  return `unnest(${arrays.join(', ')}) AS v(${write.columns.map(quote).join(', ')})`;
}

/** The rows as one JSON parameter, unpacked by the server as rows of the table's type (`v`). */
function asJson(write: RowWrite, parameters: unknown[]): string {
  parameters.push(JSON.stringify(write.rows));
  return `json_populate_recordset(NULL::${quote(write.table)}, $${parameters.length}::json) AS v`;
}

/**
 * The PostgreSQL type of each column that is not text, as the migrations make them (int8 for
 * positions and instants, integer for the rest): the type of the array its values are sent in.
 * A column missing here would be sent as text and refused by the server, never stored wrong.
 */
const POSTGRES_TYPES: Readonly<Record<string, 'bigint' | 'integer'>> = {
  position: 'bigint',
  registered_position: 'bigint',
  recorded_at: 'bigint',
  revision: 'integer',
  number: 'integer',
  ordinal: 'integer',
  recommendation_count: 'integer',
  escalated: 'integer',
};

function expectWritten(write: RowWrite, given: number, written: number): void {
  if (written !== given) {
    throw new Error(`The read model is not as the batch found it: ${write.kind} of ${given} row(s) of ${write.table} wrote ${written}`);
  }
}

const quote = (name: string): string => `"${name}"`;

/** `SET` of an update: each column but the key's, from the given rows (`v`). */
function assignments(write: RowWrite): string {
  const { key } = TABLES[write.table];
  return write.columns
    .filter((column) => !key.includes(column as never))
    .map((column) => `${quote(column)} = v.${quote(column)}`)
    .join(', ');
}

/** The stored row (named by its table) with the key of a given row (`v`). */
function keyMatch(table: WrittenTable): string {
  return TABLES[table].key.map((column) => `${quote(table)}.${quote(column)} = v.${quote(column)}`).join(' AND ');
}
