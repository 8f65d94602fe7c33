import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal';
import { principalOf } from './principal.store';

/**
 * The verified principal of the request, as a handler parameter:
 * `create(@CurrentPrincipal() principal: Principal)`. Only on routes that need a token: on a
 * public route there is none, and asking for it is a bug (a 500).
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<object>());
  if (principal === undefined) {
    throw new Error('@CurrentPrincipal() on a route without a token: declare it with @Allow, not @Public');
  }
  return principal;
});
