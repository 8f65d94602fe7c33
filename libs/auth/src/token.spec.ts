import { createHmac } from 'node:crypto';
import {
  CLOCK_TOLERANCE_SECONDS,
  InvalidTokenError,
  MAX_TOKEN_BYTES,
  signToken,
  type TokenClaims,
  type TokenRejection,
  TokenVerifier,
  verifyToken,
} from './token';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const NOW = 1_800_000_000;
const claims: TokenClaims = { sub: 'u-1', name: 'Det Supt Lead', roles: ['strategic-lead'], exp: NOW + 3600 };

/** A token signed with HS256 and SECRET over any header and payload, valid or not. */
function forge(header: unknown, payload: unknown, secret = SECRET): string {
  const encode = (value: unknown): string =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const HEADER = { alg: 'HS256', typ: 'JWT' };

function rejection(token: string, now = NOW): TokenRejection {
  return reasonOf(() => verifyToken(token, SECRET, now));
}

function reasonOf(verify: () => unknown): TokenRejection {
  try {
    verify();
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('verifyToken', () => {
  it('accepts a token it signed and names its principal', () => {
    expect(verifyToken(signToken(claims, SECRET), SECRET, NOW)).toEqual({
      id: 'u-1',
      name: 'Det Supt Lead',
      roles: ['strategic-lead'],
    });
  });

  it('takes the name from sub when there is none, and drops repeated roles', () => {
    const token = forge(HEADER, { sub: 'u-2', roles: ['board', 'board', 'admin'], exp: NOW + 60 });
    expect(verifyToken(token, SECRET, NOW)).toEqual({ id: 'u-2', name: 'u-2', roles: ['board', 'admin'] });
  });

  it('keeps the lpa code of an lpa user', () => {
    const token = signToken({ ...claims, roles: ['lpa'], lpa: 'shropshire' }, SECRET);
    expect(verifyToken(token, SECRET, NOW)).toMatchObject({ roles: ['lpa'], lpa: 'shropshire' });
  });

  it('accepts a typ of any case, or none', () => {
    expect(() => verifyToken(forge({ alg: 'HS256', typ: 'jwt' }, claims), SECRET, NOW)).not.toThrow();
    expect(() => verifyToken(forge({ alg: 'HS256' }, claims), SECRET, NOW)).not.toThrow();
  });

  describe('refuses', () => {
    it.each<[string, () => string, TokenRejection]>([
      ['alg none, unsigned', () => `${forge({ alg: 'none' }, claims).split('.').slice(0, 2).join('.')}.`, 'unsupported-algorithm'],
      ['alg none, signed anyway', () => forge({ alg: 'none' }, claims), 'unsupported-algorithm'],
      ['alg HS512', () => forge({ alg: 'HS512' }, claims), 'unsupported-algorithm'],
      ['alg RS256', () => forge({ alg: 'RS256' }, claims), 'unsupported-algorithm'],
      ['alg in another case', () => forge({ alg: 'hs256' }, claims), 'unsupported-algorithm'],
      ['no alg', () => forge({ typ: 'JWT' }, claims), 'unsupported-algorithm'],
      ['a typ other than JWT', () => forge({ alg: 'HS256', typ: 'at+jwt' }, claims), 'malformed'],
      ['critical header extensions', () => forge({ alg: 'HS256', crit: ['exp'] }, claims), 'malformed'],
      ['another secret', () => forge(HEADER, claims, 'another-secret'), 'bad-signature'],
      ['a changed payload', () => tamperPayload(signToken(claims, SECRET)), 'bad-signature'],
      ['a truncated signature', () => signToken(claims, SECRET).slice(0, -2), 'bad-signature'],
      ['an empty signature', () => `${signToken(claims, SECRET).split('.').slice(0, 2).join('.')}.`, 'bad-signature'],
      ['two segments', () => signToken(claims, SECRET).split('.').slice(0, 2).join('.'), 'malformed'],
      ['five segments (a JWE)', () => `${signToken(claims, SECRET)}.a.b`, 'malformed'],
      ['padding or other characters', () => `${signToken(claims, SECRET)}=`, 'malformed'],
      ['not a JWT at all', () => 'opaque-token', 'malformed'],
      ['an empty string', () => '', 'malformed'],
      ['a header that is not JSON', () => forge('{alg:HS256', claims), 'malformed'],
      ['a header that is a JSON array', () => forge(['HS256'], claims), 'malformed'],
      ['a payload that is not JSON', () => forge(HEADER, 'not json'), 'malformed'],
      ['a payload that is null', () => forge(HEADER, null), 'malformed'],
      ['no exp', () => forge(HEADER, { ...claims, exp: undefined }), 'missing-expiry'],
      ['an exp that is a string', () => forge(HEADER, { ...claims, exp: String(NOW + 60) }), 'invalid-claims'],
      ['an nbf that is a string', () => forge(HEADER, { ...claims, nbf: 'soon' }), 'invalid-claims'],
      ['expired past the tolerance', () => signToken({ ...claims, exp: NOW - CLOCK_TOLERANCE_SECONDS }, SECRET), 'expired'],
      ['not yet valid past the tolerance', () => signToken({ ...claims, nbf: NOW + CLOCK_TOLERANCE_SECONDS + 1 }, SECRET), 'not-yet-valid'],
      ['no sub', () => forge(HEADER, { ...claims, sub: undefined }), 'missing-subject'],
      ['a blank sub', () => forge(HEADER, { ...claims, sub: '  ' }), 'missing-subject'],
      ['a sub that is a number', () => forge(HEADER, { ...claims, sub: 42 }), 'missing-subject'],
      ['a name that is not a string', () => forge(HEADER, { ...claims, name: ['a'] }), 'invalid-claims'],
      ['no roles', () => forge(HEADER, { ...claims, roles: undefined }), 'invalid-roles'],
      ['an empty roles array', () => forge(HEADER, { ...claims, roles: [] }), 'invalid-roles'],
      ['roles as a string', () => forge(HEADER, { ...claims, roles: 'board' }), 'invalid-roles'],
      ['an unknown role', () => forge(HEADER, { ...claims, roles: ['board', 'superuser'] }), 'invalid-roles'],
      ['a role in another case', () => forge(HEADER, { ...claims, roles: ['Board'] }), 'invalid-roles'],
      ['the lpa role without an lpa claim', () => signToken({ ...claims, roles: ['lpa'] }, SECRET), 'missing-lpa'],
      ['the lpa role with a malformed lpa code', () => signToken({ ...claims, roles: ['lpa'], lpa: 'Shropshire' }, SECRET), 'missing-lpa'],
      ['a token over 8 KiB', () => signToken({ ...claims, name: 'x'.repeat(MAX_TOKEN_BYTES) }, SECRET), 'too-large'],
    ])('%s', (_case, token, reason) => {
      expect(rejection(token())).toBe(reason);
    });
  });

  describe('the clock tolerance', () => {
    it(`accepts a token up to ${CLOCK_TOLERANCE_SECONDS} s past its exp`, () => {
      const token = signToken({ ...claims, exp: NOW }, SECRET);
      expect(() => verifyToken(token, SECRET, NOW + CLOCK_TOLERANCE_SECONDS - 1)).not.toThrow();
      expect(rejection(token, NOW + CLOCK_TOLERANCE_SECONDS)).toBe('expired');
    });

    it(`accepts a token up to ${CLOCK_TOLERANCE_SECONDS} s before its nbf`, () => {
      const token = signToken({ ...claims, nbf: NOW }, SECRET);
      expect(() => verifyToken(token, SECRET, NOW - CLOCK_TOLERANCE_SECONDS)).not.toThrow();
      expect(rejection(token, NOW - CLOCK_TOLERANCE_SECONDS - 1)).toBe('not-yet-valid');
    });
  });

  it('accepts a token of exactly 8 KiB', () => {
    const base = signToken({ ...claims, name: '' }, SECRET).length;
    // Each 3 bytes of JSON become 4 base64url characters.
    let name = 'x'.repeat(Math.floor(((MAX_TOKEN_BYTES - base) * 3) / 4));
    while (signToken({ ...claims, name }, SECRET).length > MAX_TOKEN_BYTES) name = name.slice(1);
    const token = signToken({ ...claims, name }, SECRET);
    expect(token.length).toBeGreaterThan(MAX_TOKEN_BYTES - 4);
    expect(verifyToken(token, SECRET, NOW).name).toBe(name);
  });
});

describe('TokenVerifier', () => {
  // The module object itself, whose createHmac the code under test looks up at each call.
  const crypto = jest.requireActual<{ createHmac: typeof createHmac }>('node:crypto');
  afterEach(() => jest.restoreAllMocks());

  it('computes the signature of a token it verified once, not again', () => {
    const verifier = new TokenVerifier(SECRET);
    const token = signToken(claims, SECRET);
    const hmac = jest.spyOn(crypto, 'createHmac');
    expect(verifier.verify(token, NOW)).toEqual(verifyToken(token, SECRET, NOW));
    const afterFirst = hmac.mock.calls.length;
    for (let i = 0; i < 5; i += 1) expect(verifier.verify(token, NOW + i).id).toBe('u-1');
    expect(hmac.mock.calls.length).toBe(afterFirst);
    expect(afterFirst).toBeGreaterThan(0);
  });

  it('still measures a remembered token against the clock of each request', () => {
    const verifier = new TokenVerifier(SECRET);
    const expiring = signToken({ ...claims, exp: NOW }, SECRET);
    expect(verifier.verify(expiring, NOW).id).toBe('u-1');
    expect(reasonOf(() => verifier.verify(expiring, NOW + CLOCK_TOLERANCE_SECONDS))).toBe('expired');
    const early = signToken({ ...claims, nbf: NOW }, SECRET);
    expect(verifier.verify(early, NOW).id).toBe('u-1');
    expect(reasonOf(() => verifier.verify(early, NOW - CLOCK_TOLERANCE_SECONDS - 1))).toBe('not-yet-valid');
  });

  it('remembers nothing a token did not prove: a tampered payload with a known signature is refused', () => {
    const verifier = new TokenVerifier(SECRET);
    const token = signToken(claims, SECRET);
    verifier.verify(token, NOW);
    expect(reasonOf(() => verifier.verify(tamperPayload(token), NOW))).toBe('bad-signature');
    expect(() => verifier.verify(token, NOW)).not.toThrow();
    const other = new TokenVerifier('another-secret-that-is-long-enough-for-hs256');
    expect(reasonOf(() => other.verify(token, NOW))).toBe('bad-signature');
  });

  it('forgets the oldest token when full, and verifies a forgotten one in full again', () => {
    const verifier = new TokenVerifier(SECRET, 2);
    const tokens = ['u-1', 'u-2', 'u-3'].map((sub) => signToken({ ...claims, sub }, SECRET));
    for (const token of tokens) verifier.verify(token, NOW);
    const hmac = jest.spyOn(crypto, 'createHmac');
    verifier.verify(tokens[2]!, NOW);
    expect(hmac).not.toHaveBeenCalled();
    expect(verifier.verify(tokens[0]!, NOW).id).toBe('u-1');
    expect(hmac).toHaveBeenCalled();
  });
});

function tamperPayload(token: string): string {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}
