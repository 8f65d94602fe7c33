export { Allow, BEARER_SCHEME, Public, ROUTE_ACCESS, type RouteAccess } from './access';
export { AccessDeniedError, AUTH_REALM, AuthenticationError } from './auth.errors';
export { AUTH_OPTIONS, AuthGuard, bearerToken, type AuthOptions } from './auth.guard';
export { AuthModule } from './auth.module';
export { CurrentPrincipal } from './current-principal.decorator';
export { actorFor } from './actor-for';
export type { Principal } from './principal';
export { admittedByAuth, principalOf } from './principal.store';
export {
  CLOCK_TOLERANCE_SECONDS,
  InvalidTokenError,
  MAX_TOKEN_BYTES,
  signToken,
  TokenVerifier,
  verifyToken,
  type TokenClaims,
  type TokenRejection,
} from './token';
