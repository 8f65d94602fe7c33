import { type Recommendation, recommendationDecider } from '@app/domain';
import type { ProjectedRecommendation } from './recommendation.projection';
import { ProjectedRowCache } from './row-cache';

/** A projected recommendation: only its id matters to the cache. */
const row = (id: string): ProjectedRecommendation => ({
  id,
  state: { ...(recommendationDecider.initialState() as unknown as Recommendation), id },
  revision: 0,
  position: 1n,
  registeredPosition: 1n,
});

const committed = (...rows: ProjectedRecommendation[]) => ({ recommendations: rows, inspections: [], taskings: [], auditFindings: [] });

describe('the projected row cache', () => {
  it('holds nothing before a commit, whatever the stored checkpoint', () => {
    const cache = new ProjectedRowCache();
    expect(cache.at(0n)).toBeUndefined();
    expect(cache.at(5n)).toBeUndefined();
  });

  it('gives the committed rows only while the stored checkpoint is the one it committed', () => {
    const cache = new ProjectedRowCache();
    const a = row('a');
    cache.committed(0n, 10n, committed(a));

    expect(cache.at(10n)?.recommendation('a')).toBe(a);
    expect(cache.at(10n)?.recommendation('b')).toBeUndefined();
    // Another writer moved it on, or a rebuild moved it back: the rows may not be the stored ones.
    expect(cache.at(12n)).toBeUndefined();
    expect(cache.at(0n)).toBeUndefined();
  });

  it('keeps its rows across commits that follow on from its own, the newest row of an id winning', () => {
    const cache = new ProjectedRowCache();
    const a1 = row('a');
    const a2 = row('a');
    const b = row('b');
    cache.committed(0n, 10n, committed(a1, b));
    cache.committed(10n, 20n, committed(a2));

    expect(cache.at(20n)?.recommendation('a')).toBe(a2);
    expect(cache.at(20n)?.recommendation('b')).toBe(b);
  });

  it('drops every row when a commit did not start from its checkpoint (another writer came between)', () => {
    const cache = new ProjectedRowCache();
    cache.committed(0n, 10n, committed(row('a')));
    const b = row('b');
    cache.committed(15n, 20n, committed(b));

    expect(cache.at(20n)?.recommendation('a')).toBeUndefined();
    expect(cache.at(20n)?.recommendation('b')).toBe(b);
    expect(cache.size).toEqual({ recommendations: 1, inspections: 0, taskings: 0, auditFindings: 0 });
  });

  it('keeps at most its capacity, dropping the rows least recently committed', () => {
    const cache = new ProjectedRowCache(2);
    const [a, b, c] = [row('a'), row('b'), row('c')];
    cache.committed(0n, 1n, committed(a, b));
    cache.committed(1n, 2n, committed(a));
    cache.committed(2n, 3n, committed(c));

    const rows = cache.at(3n)!;
    expect([rows.recommendation('a'), rows.recommendation('b'), rows.recommendation('c')]).toEqual([a, undefined, c]);
  });
});
