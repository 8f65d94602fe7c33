import type { Actor, Role } from '@app/domain';
import { AccessDeniedError } from './auth.errors';
import type { Principal } from './principal';

/**
 * The principal as the domain's actor, in the role the command needs: the first of `allowed`
 * that the principal holds (so the command, not the token's order, decides which role a user
 * with several acts in). A principal holding none of them is refused with a 403; the route's
 * `@Allow` normally says so first.
 */
export function actorFor(principal: Principal, allowed: Role | readonly Role[]): Actor {
  const roles: readonly Role[] = typeof allowed === 'string' ? [allowed] : allowed;
  const role = roles.find((candidate) => principal.roles.includes(candidate));
  if (role === undefined) {
    throw new AccessDeniedError(`this needs the role ${roles.join(' or ')}`);
  }
  return role === 'lpa' && principal.lpa !== undefined
    ? { id: principal.id, name: principal.name, role, lpa: principal.lpa }
    : { id: principal.id, name: principal.name, role };
}
