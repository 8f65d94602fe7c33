import type { Role } from '@app/domain';

/** API.md, Queries: who reads the governance picture ("all but lpa"; an LPA sees its own taskings only). */
export const READERS = ['strategic-lead', 'intelligence', 'registrar', 'board', 'admin'] as const satisfies readonly Role[];
