import type { Actor, ActorRole } from './actor';
import { RoleNotPermittedError } from './errors';

/**
 * The domain checks the role again, after the HTTP guard: the rule (DOMAIN.md, "Who uses it")
 * then holds for every caller, a worker or a script as much as a controller.
 */
export function requireRole(commandType: string, actor: Actor, allowed: readonly ActorRole[]): void {
  if (!allowed.includes(actor.role)) throw new RoleNotPermittedError(commandType, actor.role, allowed);
}
