import fc from 'fast-check';
import { ProblemError } from '../problem';
import {
  canonicalJson,
  commandIdFor,
  idempotencyScope,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency-key';

describe('parseIdempotencyKey', () => {
  it.each([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['"with space and \\"quotes\\""', 'with space and "quotes"'],
    [` "padded" `, 'padded'],
    [`"${'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH)}"`, 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH)],
  ])('reads %j', (header, key) => {
    expect(parseIdempotencyKey(header)).toBe(key);
  });

  it('finds no key without the header', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    '',
    '""',
    '"unterminated',
    'two words',
    'a,b',
    '"a", "b"',
    '"tab\there"',
    '"é"',
    `"${'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)}"`,
  ])('refuses %j with a 400', (header) => {
    expect(() => parseIdempotencyKey(header)).toThrow(ProblemError);
  });

  it('refuses a repeated header', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(ProblemError);
  });
});

describe('canonicalJson', () => {
  it('orders keys at every depth, and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('gives equal objects equal text whatever their key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });

  it('writes no body as null', () => {
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('scopes, fingerprints and command ids', () => {
  it('keeps principals, methods, paths and keys apart', () => {
    const scope = idempotencyScope('u-1', 'POST', '/api/things', 'k');
    expect(idempotencyScope('u-1', 'post', '/api/things', 'k')).toBe(scope);
    expect(
      new Set([
        scope,
        idempotencyScope('u-2', 'POST', '/api/things', 'k'),
        idempotencyScope(undefined, 'POST', '/api/things', 'k'),
        idempotencyScope('u-1', 'PATCH', '/api/things', 'k'),
        idempotencyScope('u-1', 'POST', '/api/things/1', 'k'),
        idempotencyScope('u-1', 'POST', '/api/things', 'k2'),
      ]).size,
    ).toBe(6);
  });

  it('fingerprints the body by value and the If-Match with it', () => {
    expect(requestFingerprint({ a: 1, b: 2 }, undefined)).toBe(requestFingerprint({ b: 2, a: 1 }, undefined));
    expect(requestFingerprint({ a: 1 }, undefined)).not.toBe(requestFingerprint({ a: 2 }, undefined));
    expect(requestFingerprint({ a: 1 }, '"3"')).not.toBe(requestFingerprint({ a: 1 }, undefined));
  });

  it('derives one command id per scope and fingerprint, as a UUID', () => {
    const id = commandIdFor('scope', 'print');
    expect(commandIdFor('scope', 'print')).toBe(id);
    expect(commandIdFor('scope', 'other')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
