import { ProblemError } from './problem';
import { etagOf, parseIfMatch } from './revision';

describe('parseIfMatch', () => {
  it.each([
    ['"0"', 0],
    ['"17"', 17],
    [' "17" ', 17],
    [`"${Number.MAX_SAFE_INTEGER}"`, Number.MAX_SAFE_INTEGER],
  ])('reads %j as revision %d', (header, revision) => {
    expect(parseIfMatch(header)).toBe(revision);
  });

  it('reads no header as no expectation', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it.each(['W/"3"', '*', '3', '"3", "4"', '"-1"', '"03"', '"3.5"', '"abc"', '""', '', `"${Number.MAX_SAFE_INTEGER + 2}"`])(
    'refuses %j with a 400',
    (header) => {
      let error: unknown;
      try {
        parseIfMatch(header);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).status).toBe(400);
    },
  );

  it('reads back the ETag it writes', () => {
    expect(parseIfMatch(etagOf(42))).toBe(42);
  });
});
