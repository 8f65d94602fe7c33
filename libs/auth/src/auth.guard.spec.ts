import { AuthenticationError } from './auth.errors';
import { bearerToken } from './auth.guard';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER  abc.def.ghi ', 'abc.def.ghi'],
  ])('reads %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Token abc'])(
    'finds no token in %j, which is a 401 with a plain challenge',
    (header) => {
      let error: unknown;
      try {
        bearerToken(header);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).challenge()).toBe('Bearer realm="api"');
    },
  );

  it('finds no token in repeated headers', () => {
    expect(() => bearerToken(['Bearer a', 'Bearer b'])).toThrow(AuthenticationError);
  });
});

describe('AuthenticationError', () => {
  it('challenges a refused token with invalid_token and the reason', () => {
    expect(new AuthenticationError('expired', 'the token has expired').challenge()).toBe(
      'Bearer realm="api", error="invalid_token", error_description="expired"',
    );
  });

  it('never repeats what the token holds in the challenge, so any token gets a sendable header', () => {
    const challenge = new AuthenticationError('unsupported-algorithm', "the token's algorithm must be HS256, not €\u007f").challenge();
    expect(challenge).toMatch(/^[\x20-\x7e]+$/);
    expect(challenge).not.toContain('€');
  });
});
