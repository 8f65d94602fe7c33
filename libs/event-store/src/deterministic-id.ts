import { hash as digest } from 'node:crypto';

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
  const space = namespaceBytes(namespace);
  // One buffer and a one-shot digest: a Hash object per id cost more than the hashing.
  const input = Buffer.allocUnsafe(space.length + Buffer.byteLength(name, 'utf8'));
  space.copy(input, 0);
  input.write(name, space.length, 'utf8');
  const hash = digest('sha1', input, 'buffer');
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  // Written out byte by byte into one buffer: a string joined from slices is a rope, which every
  // later comparison (ids are compared often: actions are found by id) has to walk piece by piece.
  const text = Buffer.allocUnsafe(36);
  let at = 0;
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = DASH;
    const byte = hash[i]!;
    text[at++] = HEX_DIGITS[byte >> 4]!;
    text[at++] = HEX_DIGITS[byte & 0x0f]!;
  }
  return text.toString('latin1');
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const DASH = 0x2d;

const namespaces = new Map<string, Buffer>();
function namespaceBytes(namespace: string): Buffer {
  let bytes = namespaces.get(namespace);
  if (!bytes) {
    bytes = Buffer.from(namespace.replaceAll('-', ''), 'hex');
    // Namespaces are constants of the code: a handful at most, unless a caller is wrong.
    if (namespaces.size < 64) namespaces.set(namespace, bytes);
  }
  return bytes;
}
