import { createHash } from 'node:crypto';

/** The namespace of this application's name-based ids (a random UUID, fixed once). */
const NAMESPACE = 'c5a3b5f2-3d1e-4f6a-9b0c-7e2d8a4f1b63';

/**
 * A name-based UUID (RFC 9562 version 5): the same name always gives the same id. Event ids
 * derived from what caused them make a retried command or a replayed process manager append the
 * very same events, which the event store then recognises as a repeat.
 */
export function deterministicId(name: string): string {
  return nameBasedUuid(NAMESPACE, name);
}

export function nameBasedUuid(namespace: string, name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
