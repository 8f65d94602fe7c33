/**
 * The principal of each request, kept beside the request object rather than on it: nothing else
 * can set or overwrite it, and it goes away with the request.
 */
import type { Principal } from './principal';

const principals = new WeakMap<object, Principal>();

export function setPrincipal(request: object, principal: Principal): void {
  principals.set(request, principal);
}

/** The principal the guard verified for this request; undefined on a public route. */
export function principalOf(request: object): Principal | undefined {
  return principals.get(request);
}
