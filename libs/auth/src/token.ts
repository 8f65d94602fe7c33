/**
 * Bearer tokens as API.md describes them: JWTs signed with HS256 and the shared secret
 * (AUTH_JWT_SECRET). Verified with node:crypto alone: one algorithm, no key lookup, no library
 * whose defaults could accept `alg: none` or a key confusion.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isKebabCaseId, ROLES, type Role } from '@app/domain';
import type { Principal } from './principal';

/** How far the issuer's clock and ours may disagree when `exp` and `nbf` are checked. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Longer tokens are refused before any decoding: nobody needs one, and parsing costs. */
export const MAX_TOKEN_BYTES = 8 * 1024;

/** Why a token was refused: the `reason` of an `InvalidTokenError`. */
export type TokenRejection =
  | 'too-large'
  | 'malformed'
  | 'unsupported-algorithm'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'missing-expiry'
  | 'missing-subject'
  | 'invalid-roles'
  | 'missing-lpa'
  | 'invalid-claims';

export class InvalidTokenError extends Error {
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** What a token says about its holder (API.md, Conventions: Auth). */
export interface TokenClaims {
  readonly sub: string;
  readonly name?: string;
  readonly roles: readonly Role[];
  readonly lpa?: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly iat?: number;
  readonly nbf?: number;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Signs `claims` with HS256: for `npm run token` and for tests. */
export function signToken(claims: TokenClaims, secret: string): string {
  const header = encodeSegment({ alg: 'HS256', typ: 'JWT' });
  const payload = encodeSegment(claims);
  return `${header}.${payload}.${signature(`${header}.${payload}`, secret)}`;
}

/**
 * The principal a token names, or an `InvalidTokenError` saying why not. Checks, in this order:
 * size, shape, header (HS256 only), signature, then the claims: `exp` (required), `nbf` (if any),
 * `sub`, `name`, `roles` (a non-empty array of DOMAIN.md's roles) and `lpa` (required with the
 * `lpa` role). Nothing of the payload is trusted before the signature holds.
 */
export function verifyToken(token: string, secret: string, nowSeconds: number): Principal {
  return verifiedClaims(token, secret, nowSeconds).principal;
}

/** How many verified tokens a TokenVerifier keeps: more than a force has users signed in at once. */
const VERIFIED_TOKENS_KEPT = 1_000;

/**
 * `verifyToken` for a server: remembers the tokens that verified, so that the same token sent
 * again (a client sends it with every request) is not decoded and its signature not computed
 * again; only its validity window is checked again, against the clock of that request. A token
 * is remembered by its whole text, signature included, so a remembered token is one that
 * verified with this very secret; the oldest is forgotten first when the verifier is full.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(
    private readonly secret: string,
    private readonly capacity = VERIFIED_TOKENS_KEPT,
  ) {}

  verify(token: string, nowSeconds: number): Principal {
    const known = this.verified.get(token);
    if (known && windowRejection(known.exp, known.nbf, nowSeconds) === undefined) return known.principal;
    // Not known, or outside its window now: verified in full, which says why it is refused.
    this.verified.delete(token);
    const claims = verifiedClaims(token, this.secret, nowSeconds);
    if (this.verified.size >= this.capacity) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims.principal;
  }
}

interface VerifiedClaims {
  readonly principal: Principal;
  readonly exp: number;
  readonly nbf: number | undefined;
}

function verifiedClaims(token: string, secret: string, nowSeconds: number): VerifiedClaims {
  if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) {
    throw new InvalidTokenError('too-large', `the token is longer than ${MAX_TOKEN_BYTES} bytes`);
  }
  const segments = token.split('.');
  const [encodedHeader = '', encodedPayload = '', givenSignature = ''] = segments;
  // The signature may be empty here (`alg: none`), to be refused for its algorithm below.
  if (segments.length !== 3 || !SEGMENT.test(encodedHeader) || !SEGMENT.test(encodedPayload) || !/^[A-Za-z0-9_-]*$/.test(givenSignature)) {
    throw new InvalidTokenError('malformed', 'the token is not a signed JWT (three base64url segments)');
  }

  const header = decodeSegment(encodedHeader, 'header');
  if (header.alg !== 'HS256') {
    throw new InvalidTokenError('unsupported-algorithm', `the token's algorithm must be HS256, not ${describe(header.alg)}`);
  }
  if (header.typ !== undefined && (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')) {
    throw new InvalidTokenError('malformed', `the token's type must be JWT, not ${describe(header.typ)}`);
  }
  // RFC 7515 §4.1.11: extensions the recipient must understand; this one understands none.
  if (header.crit !== undefined) {
    throw new InvalidTokenError('malformed', 'the token names critical header extensions, which are not supported');
  }

  const expected = Buffer.from(signature(`${encodedHeader}.${encodedPayload}`, secret), 'utf8');
  const given = Buffer.from(givenSignature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new InvalidTokenError('bad-signature', 'the token signature does not verify');
  }

  return claimsFrom(decodeSegment(encodedPayload, 'payload'), nowSeconds);
}

function claimsFrom(claims: Record<string, unknown>, now: number): VerifiedClaims {
  const { exp, nbf, iat } = claims;
  if (exp === undefined) {
    throw new InvalidTokenError('missing-expiry', 'the token has no expiry (exp)');
  }
  if (!isNumericDate(exp) || (nbf !== undefined && !isNumericDate(nbf)) || (iat !== undefined && !isNumericDate(iat))) {
    throw new InvalidTokenError('invalid-claims', 'exp, nbf and iat must be numbers of seconds since the epoch');
  }
  const refused = windowRejection(exp, nbf, now);
  if (refused) throw refused;
  return { principal: principalFrom(claims), exp, nbf };
}

/** Why a token with these `exp` and `nbf` is not valid at `now`, if it is not. */
function windowRejection(exp: number, nbf: number | undefined, now: number): InvalidTokenError | undefined {
  if (now >= exp + CLOCK_TOLERANCE_SECONDS) {
    return new InvalidTokenError('expired', 'the token has expired');
  }
  if (nbf !== undefined && now + CLOCK_TOLERANCE_SECONDS < nbf) {
    return new InvalidTokenError('not-yet-valid', 'the token is not valid yet (nbf)');
  }
  return undefined;
}

function principalFrom(claims: Record<string, unknown>): Principal {
  const { sub, name, roles, lpa } = claims;
  if (typeof sub !== 'string' || sub.trim() === '') {
    throw new InvalidTokenError('missing-subject', 'the token names no subject (sub)');
  }
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new InvalidTokenError('invalid-claims', 'the name claim must be a non-blank string');
  }
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw new InvalidTokenError('invalid-roles', `roles must be a non-empty array of ${ROLES.join(', ')}`);
  }
  const uniqueRoles = [...new Set(roles)];
  if (!uniqueRoles.includes('lpa')) {
    return { id: sub, name: name ?? sub, roles: uniqueRoles };
  }
  if (!isKebabCaseId(lpa)) {
    throw new InvalidTokenError('missing-lpa', 'the lpa role needs an lpa claim: the LPA code, lowercase kebab-case');
  }
  return { id: sub, name: name ?? sub, roles: uniqueRoles, lpa };
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function signature(signingInput: string, secret: string): string {
  return createHmac('sha256', secret).update(signingInput, 'ascii').digest('base64url');
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeSegment(segment: string, what: 'header' | 'payload'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed', `the token ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTokenError('malformed', `the token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  return value === undefined ? 'none given' : JSON.stringify(value);
}
