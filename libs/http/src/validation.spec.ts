import { Type } from 'class-transformer';
import { IsInt, IsPositive, IsString, ValidateNested } from 'class-validator';
import { createValidationPipe, RequestValidationError } from './validation';

class Recommendation {
  @IsInt()
  @IsPositive()
  number!: number;

  @IsString()
  text!: string;
}

class Inspection {
  @IsString()
  title!: string;

  @ValidateNested({ each: true })
  @Type(() => Recommendation)
  recommendations!: Recommendation[];
}

async function issuesOf(body: unknown): Promise<unknown> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: Inspection });
  } catch (error) {
    if (error instanceof RequestValidationError) return error.issues;
    throw error;
  }
  return [];
}

describe('the validation pipe', () => {
  it('turns a valid body into the DTO', async () => {
    const value: unknown = await createValidationPipe().transform(
      { title: 't', recommendations: [{ number: 1, text: 'x' }] },
      { type: 'body', metatype: Inspection },
    );
    expect(value).toBeInstanceOf(Inspection);
    expect((value as Inspection).recommendations[0]).toBeInstanceOf(Recommendation);
  });

  it('names nested fields by their path', async () => {
    expect(await issuesOf({ title: 't', recommendations: [{ number: 1, text: 'x' }, { number: -2, text: 'y' }] })).toEqual([
      { field: 'recommendations.1.number', message: 'number must be a positive number' },
    ]);
  });

  it('refuses unknown fields, nested ones too', async () => {
    expect(await issuesOf({ title: 't', extra: 1, recommendations: [{ number: 1, text: 'x', secret: true }] })).toEqual([
      { field: 'extra', message: 'property extra should not exist' },
      { field: 'recommendations.0.secret', message: 'property secret should not exist' },
    ]);
  });

  it('does not convert strings to numbers', async () => {
    expect(await issuesOf({ title: 't', recommendations: [{ number: '1', text: 'x' }] })).toEqual(
      expect.arrayContaining([{ field: 'recommendations.0.number', message: 'number must be an integer number' }]),
    );
  });

  it('refuses a body that is not an object', async () => {
    for (const body of [[], 'text', 42, null]) {
      expect(await issuesOf(body)).not.toEqual([]);
    }
  });
});
