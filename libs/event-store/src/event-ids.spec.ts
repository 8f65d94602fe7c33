import { deterministicId, nameBasedUuid, timeOrderedId } from './event-ids';

const VERSION = (n: number): RegExp => new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-${n}[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`);
/** The Unix milliseconds in a version 7 id's first 48 bits. */
const millisecondsOf = (id: string): number => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('deterministicId', () => {
  it('is a version 5 UUID, stable for a name and different for another', () => {
    const id = deterministicId('command-1/0');
    expect(id).toMatch(VERSION(5));
    expect(deterministicId('command-1/0')).toBe(id);
    expect(deterministicId('command-1/1')).not.toBe(id);
  });

  it('follows RFC 9562 (the DNS namespace example)', () => {
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});

describe('timeOrderedId', () => {
  it('is a version 7 UUID carrying the time it was made', () => {
    const before = Date.now();
    const id = timeOrderedId();
    expect(id).toMatch(VERSION(7));
    expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('rises strictly, many within a millisecond and past the counter, and when the clock steps back', () => {
    const base = Date.now() + 60_000;
    const ids = [
      ...Array.from({ length: 10_000 }, () => timeOrderedId(base)),
      ...Array.from({ length: 10 }, () => timeOrderedId(base - 5_000)),
      timeOrderedId(base + 10_000),
    ];
    for (let i = 1; i < ids.length; i += 1) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // 4,096 counter values a millisecond at most: 10,000 ids took a few milliseconds more.
    expect(millisecondsOf(ids[9_999]!)).toBeGreaterThan(base);
    expect(millisecondsOf(ids[9_999]!)).toBeLessThan(base + 10);
    expect(millisecondsOf(ids[ids.length - 1]!)).toBe(base + 10_000);
  });

  it('differs in its random bits between ids of the same counter', () => {
    const ids = Array.from({ length: 1_000 }, () => timeOrderedId().slice(19));
    expect(new Set(ids).size).toBe(1_000);
  });
});
