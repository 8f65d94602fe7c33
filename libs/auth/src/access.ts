/**
 * Route declarations. Every route says who may call it: `@Public()`, `@Allow('authenticated')`
 * or `@Allow(...roles)`, on the handler or on its controller (the handler's wins). The global
 * `AuthGuard` refuses a route that says nothing, so a forgotten declaration closes a route
 * rather than opening it.
 */
import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { Role } from '@app/domain';

/** The name of the bearer security scheme in the OpenAPI document. */
export const BEARER_SCHEME = 'bearer';

export const ROUTE_ACCESS = Symbol.for('app.auth.route-access');

export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'roles'; readonly roles: readonly Role[] };

/** No token needed, none looked at: health, docs. */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);
}

/**
 * A valid bearer token holding one of `roles`, or any valid token with `'authenticated'`.
 * Also marks the operation in the OpenAPI document as needing the bearer scheme.
 */
export function Allow(...roles: readonly [Role | 'authenticated', ...(Role | 'authenticated')[]]): ClassDecorator & MethodDecorator {
  if (roles.length === 0) {
    // Only reachable from JavaScript or a cast: the type asks for at least one.
    throw new Error('@Allow() needs at least one role, or "authenticated"');
  }
  const access: RouteAccess = roles.includes('authenticated')
    ? { kind: 'authenticated' }
    : { kind: 'roles', roles: [...new Set(roles as readonly Role[])] };
  return applyDecorators(
    SetMetadata(ROUTE_ACCESS, access),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-allowed-roles', access.kind === 'roles' ? access.roles : ['authenticated']),
  );
}
