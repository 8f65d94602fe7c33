/**
 * The principal of each request, kept beside the request object rather than on it: nothing else
 * can set or overwrite it, and it goes away with the request.
 */
import type { Principal } from './principal';

/** Null: admitted to a public route, without a principal. */
const principals = new WeakMap<object, Principal | null>();

/** Records that the guard admitted the request, and as whom (null on a public route). */
export function setPrincipal(request: object, principal: Principal | null): void {
  principals.set(request, principal);
}

/** The principal the guard verified for this request; undefined on a public route. */
export function principalOf(request: object): Principal | undefined {
  return principals.get(request) ?? undefined;
}

/**
 * Whether the auth guard has admitted the request (to a public route, or with a principal). What
 * depends on the caller and may run before it (another global guard) asks, to fail closed.
 */
export function admittedByAuth(request: object): boolean {
  return principals.has(request);
}
