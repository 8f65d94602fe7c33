/** Queries of the audit findings as the read model holds them now: `GET /api/audit-findings` and the board's counts. */
import type { AuditFinding, AuditFindingStatus } from '@app/domain';
import { sql } from 'kysely';
import type { ReadModelDatabase } from '../schema';
import { type ListAnswer, type Page, anyOf, cursorOf, limitOf, pageOf } from './paging';
import { type AuditFindingCounts, type AuditFindingView, auditFindingView, countAuditFindings } from './views';

export interface AuditFindingFilters {
  /** An LPA's code. */
  readonly lpa?: string | undefined;
  /** One status, or any of several. */
  readonly status?: AuditFindingStatus | readonly AuditFindingStatus[] | undefined;
}

export type AuditFindingQuery = AuditFindingFilters & Page;

/** The findings in the order they were recorded, filtered, one page at a time. */
export async function listAuditFindings(database: ReadModelDatabase, query: AuditFindingQuery): Promise<ListAnswer<AuditFindingView>> {
  const limit = limitOf(query);
  const after = cursorOf(query);
  const statuses = anyOf(query.status);
  let select = database.db
    .selectFrom('audit_findings')
    .select(['id', 'state', 'revision', 'registered_position'])
    .where('registered_position', '>', after);
  if (query.lpa !== undefined) select = select.where('lpa', '=', query.lpa);
  if (statuses !== undefined) select = select.where('status', 'in', statuses);
  const rows = await select.orderBy('registered_position').limit(limit + 1).execute();
  return pageOf(rows, limit, (row) => row.registered_position, (row) => auditFindingView(row.id, JSON.parse(row.state) as AuditFinding, row.revision));
}

/** The board summary's audit finding figures, counted in the database. */
export async function auditFindingCounts(database: ReadModelDatabase): Promise<AuditFindingCounts> {
  const groups = await database.db
    .selectFrom('audit_findings')
    .select(['lpa', 'status', sql<number | string>`count(*)`.as('count')])
    .groupBy(['lpa', 'status'])
    .execute();
  return countAuditFindings(groups.map((group) => ({ lpa: group.lpa, status: group.status, count: Number(group.count) })));
}

/** Whether a finding passes the filters of `GET /api/audit-findings`: listAuditFindings's SQL, in memory. */
export function auditFindingMatches(state: AuditFinding, filters: AuditFindingFilters): boolean {
  const statuses = anyOf(filters.status);
  if (filters.lpa !== undefined && state.lpa !== filters.lpa) return false;
  if (statuses !== undefined && !statuses.includes(state.status)) return false;
  return true;
}
