/**
 * The two refusals of the auth layer. They are Nest HTTP exceptions, so that even without the
 * problem+json filter they answer 401 and 403; the filter adds the problem body and, for a 401,
 * the `WWW-Authenticate` challenge (RFC 6750 §3).
 */
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { TokenRejection } from './token';

/** The realm named in every challenge. */
export const AUTH_REALM = 'api';

/** No usable bearer token: a 401. */
export class AuthenticationError extends UnauthorizedException {
  constructor(
    /** `missing`: no bearer token at all; otherwise why the token was refused. */
    readonly reason: 'missing' | TokenRejection,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }

  /** The `WWW-Authenticate` value: no error code without a token, `invalid_token` for a bad one. */
  challenge(): string {
    if (this.reason === 'missing') return `Bearer realm="${AUTH_REALM}"`;
    // A fixed text per reason: the token's own values never reach a header (a character Node
    // cannot send there would turn the 401 into a 500).
    return `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${this.reason}"`;
  }
}

/** A valid token whose roles the route does not allow, or a route no one may use: a 403. */
export class AccessDeniedError extends ForbiddenException {
  constructor(message: string) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}
