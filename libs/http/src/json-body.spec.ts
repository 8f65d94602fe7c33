import { MAX_JSON_DEPTH, parseJsonBody } from './http-adapter';
import { RequestValidationError } from './validation';

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseJsonBody', () => {
  it('parses JSON, brackets inside strings not counted as nesting', () => {
    expect(parseJsonBody('{"title":"[[[[{{{{\\"}}","n":[1,[2]]}')).toEqual({ title: '[[[[{{{{"}}', n: [1, [2]] });
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH))).not.toThrow();
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels, with a field error, before anything recurses into it`, () => {
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH + 1))).toThrow(RequestValidationError);
    expect(() => parseJsonBody(nested(100_000))).toThrow(/nested 100000 levels deep/);
  });

  it('refuses __proto__ and constructor.prototype keys, naming where they are', () => {
    try {
      parseJsonBody('{"a":{"__proto__":{"x":1}},"b":[{"constructor":{"prototype":{}}}],"constructor":"fine"}');
      throw new Error('not refused');
    } catch (error) {
      expect((error as RequestValidationError).issues.map((issue) => issue.field)).toEqual(['a.__proto__', 'b.0.constructor']);
    }
  });

  it('calls text that is not JSON, or nothing, malformed (a 400 of its own kind)', () => {
    for (const text of ['{"a":', '', '   ']) expect(() => parseJsonBody(text)).toThrow(SyntaxError);
  });
});
