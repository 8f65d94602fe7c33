import type { Role } from '@app/domain';

/** Who sent a request, as its verified bearer token says. */
export interface Principal {
  /** The token's `sub`. */
  readonly id: string;
  /** The token's `name`, or its `sub` when it has none. */
  readonly name: string;
  /** Never empty, no duplicates, each one of DOMAIN.md's roles. */
  readonly roles: readonly Role[];
  /** The LPA code: present exactly when `roles` has `lpa`. */
  readonly lpa?: string;
}
