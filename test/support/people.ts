/**
 * The people the tasking e2e specs act as, one of each force role and two LPA users, and their
 * tokens. A spec adds whoever else it needs (`{ ...FORCE_PEOPLE, herefordshire: … }`), keeping
 * this order, which the specs that walk their table rely on. Test code only.
 */
import type { Role } from '@app/domain';
import { type TokenSubject, tokenFor } from './http-client';

export type Person = { readonly sub: string; readonly name: string; readonly roles: readonly Role[]; readonly lpa?: string };

export const FORCE_PEOPLE = {
  lead: { sub: 'u-det-supt', name: 'Det Supt (strategic lead)', roles: ['strategic-lead'] },
  intelligence: { sub: 'u-fib-ds', name: 'FIB threat desk DS', roles: ['intelligence'] },
  registrar: { sub: 'u-fcr', name: 'Force Crime Registrar', roles: ['registrar'] },
  board: { sub: 'u-sib-chair', name: 'Service Improvement Board chair', roles: ['board'] },
  admin: { sub: 'u-admin', name: 'System owner', roles: ['admin'] },
  shropshire: { sub: 'u-shrop-liu', name: 'Shropshire LPA intelligence unit', roles: ['lpa'], lpa: 'shropshire' },
  telford: { sub: 'u-tw-liu', name: 'Telford & Wrekin LPA intelligence unit', roles: ['lpa'], lpa: 'telford-and-wrekin' },
} as const satisfies Record<string, Person>;

/** A token for each person of `people`, signed with `secret`, by the same keys. */
export function tokensOf<Who extends string>(secret: string, people: Readonly<Record<Who, TokenSubject>>): Record<Who, string> {
  return Object.fromEntries(Object.entries<TokenSubject>(people).map(([who, subject]) => [who, tokenFor(secret, subject)])) as Record<Who, string>;
}
