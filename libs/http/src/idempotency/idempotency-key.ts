/**
 * The pure parts of idempotency: reading the `Idempotency-Key` header, the scope a key lives in,
 * the fingerprint of a request, and the command id derived from both.
 */
import { createHash } from 'node:crypto';
import { deterministicId } from '@app/event-store';
import { ProblemError } from '../problem';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** sf-string (RFC 8941 §3.3.3): printable ASCII in double quotes, `\"` and `\\` escaped. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
/** The unquoted form most clients send (a bare UUID): printable ASCII without spaces, quotes or commas. */
const BARE = /^[\x21\x23-\x2b\x2d-\x7e]+$/;

/**
 * The key of an `Idempotency-Key` header, or undefined without one. The draft makes it an
 * sf-string (`"8e03978e-…"`); the bare form is accepted too. At most 255 characters.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? '' : header.trim();
  const quoted = SF_STRING.exec(value);
  const key = quoted?.[1] !== undefined ? quoted[1].replace(/\\(["\\])/g, '$1') : BARE.test(value) ? value : '';
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ProblemError(
      400,
      'invalid-idempotency-key',
      'Invalid Idempotency-Key',
      `Idempotency-Key must be one string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, such as "8e03978e-40d5-43e8-bc93-6894a57f9324"`,
    );
  }
  return key;
}

/**
 * Where a key is unique: per principal, method and path (without the query), so that two users,
 * or one user on two routes, never share an answer. Hashed: it is stored as a fixed-size key.
 */
export function idempotencyScope(principalId: string | undefined, method: string, path: string, key: string): string {
  return sha256(JSON.stringify([principalId ?? null, method.toUpperCase(), path, key]));
}

/**
 * The resource a request acts on, however its path was spelled: the route's template and its
 * decoded parameters (`/api/recommendations/:id/actions {"id":"insp-1"}`).
 */
export function requestTarget(template: string, params: unknown): string {
  return `${template} ${canonicalJson(params ?? {})}`;
}

/** The request's identity besides its key: the body as canonical JSON, and its If-Match. */
export function requestFingerprint(body: unknown, ifMatch: string | string[] | undefined): string {
  return sha256(JSON.stringify([canonicalJson(body), ifMatch ?? null]));
}

/**
 * The command id of a keyed request: the same for every repeat of it, so that the command
 * handler's event ids (derived from it) make a re-run append nothing. The fingerprint is part of
 * it, so that a key used again with another body once its record has expired runs as a new
 * command instead of being taken for the old one.
 */
export function commandIdFor(scope: string, fingerprint: string): string {
  return deterministicId(`idempotency/${scope}/${fingerprint}`);
}

/** JSON with the keys of every object sorted: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value)) ?? 'null';
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
