import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROUTE_ACCESS, type RouteAccess } from './access';
import { AccessDeniedError, AuthenticationError } from './auth.errors';
import { setPrincipal } from './principal.store';
import { InvalidTokenError, TokenVerifier } from './token';

/** Injection token of the options `AuthModule.forRoot` was given. */
export const AUTH_OPTIONS = Symbol.for('app.auth.options');

export interface AuthOptions {
  /** The HS256 secret (AUTH_JWT_SECRET). */
  readonly jwtSecret: string;
  /** Seconds since the epoch; the system clock unless a test says otherwise. */
  readonly now?: () => number;
}

/** The part of a request the guard reads. */
interface RequestHeaders {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The global guard: default deny. A route must declare its access (`@Public`, `@Allow`); one
 * that does not is refused to everyone, with a 403, and logged once as the bug it is. A route
 * that needs a token gets a 401 without a valid one and a 403 when its roles do not match.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');
  private readonly undeclaredReported = new WeakSet<object>();
  private readonly tokens: TokenVerifier;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {
    this.tokens = new TokenVerifier(options.jwtSecret);
  }

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === undefined) {
      this.reportUndeclared(context);
      throw new AccessDeniedError('this route declares no access, so no one may use it');
    }
    if (access.kind === 'public') {
      if (context.getType() === 'http') setPrincipal(context.switchToHttp().getRequest<object>(), null);
      return true;
    }
    if (context.getType() !== 'http') {
      throw new AccessDeniedError('only HTTP requests carry bearer tokens');
    }

    const request = context.switchToHttp().getRequest<RequestHeaders>();
    const token = bearerToken(request.headers.authorization);
    let principal;
    try {
      principal = this.tokens.verify(token, this.options.now?.() ?? Math.floor(Date.now() / 1000));
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new AuthenticationError(error.reason, error.message);
      throw error;
    }
    if (access.kind === 'roles' && !access.roles.some((role) => principal.roles.includes(role))) {
      throw new AccessDeniedError(`this route is for ${access.roles.join(', ')}`);
    }
    setPrincipal(request, principal);
    return true;
  }

  private reportUndeclared(context: ExecutionContext): void {
    const handler = context.getHandler();
    if (this.undeclaredReported.has(handler)) return;
    this.undeclaredReported.add(handler);
    this.logger.error(
      `${context.getClass().name}.${handler.name} declares no access (@Public or @Allow): it refuses every request until it does.`,
    );
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is
 * case-insensitive). Anything else counts as no token at all.
 */
export function bearerToken(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? undefined : header;
  const match = value === undefined ? null : /^Bearer +(\S+) *$/i.exec(value);
  if (match?.[1] === undefined) {
    throw new AuthenticationError('missing', 'this route needs a bearer token (Authorization: Bearer <JWT>)');
  }
  return match[1];
}
