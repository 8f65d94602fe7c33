import { RequestValidationError } from './validation';
import { WellFormedStringsPipe } from './well-formed-strings.pipe';

describe('WellFormedStringsPipe', () => {
  const pipe = new WellFormedStringsPipe();
  const refused = (value: unknown, type: 'body' | 'query' | 'param', data?: string): unknown => {
    try {
      pipe.transform(value, { type, data });
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('names every field that holds U+0000, however deep', () => {
    const error = refused({ ownerName: 'a\u0000b', recommendations: [{ text: 'ok' }, { text: '\u0000' }] }, 'body');
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).issues.map((i) => i.field)).toEqual(['ownerName', 'recommendations.1.text']);
  });

  it('checks query strings and path parameters too', () => {
    expect((refused({ owner: '\u0000' }, 'query') as RequestValidationError).issues[0]?.field).toBe('owner');
    expect((refused('x\u0000', 'param', 'actionId') as RequestValidationError).issues[0]?.field).toBe('actionId');
  });

  it('names every field, or field name, that holds a lone surrogate', () => {
    const error = refused({ ownerName: 'a\ud800b', notes: ['ok', '\udfff'], ['x\ud83d']: 1 }, 'body') as RequestValidationError;
    expect(error.issues.map((i) => i.field)).toEqual(['ownerName', 'notes.1', 'x\ud83d']);
    expect(error.issues[0]?.message).toMatch(/lone surrogate/);
    // A whole pair is a character like any other.
    expect(refused({ ownerName: 'a\ud83d\udd75b' }, 'body')).toBeUndefined();
  });

  it('lets every other character through untouched', () => {
    const body = { text: 'Stolen Freedom – 現代奴隷 – \u200b\u202e\u0001 🕵️', n: 1, nothing: null };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
  });
});
