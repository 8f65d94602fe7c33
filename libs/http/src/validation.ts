/**
 * Request validation: one ValidationPipe configuration for every route, and the 400 it throws.
 * DTOs are classes with class-validator decorators; nested objects need `@ValidateNested()` and
 * `@Type(() => Child)` to be validated (and stripped of unknown fields) in turn.
 */
import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { FieldIssue } from '@app/domain';

/** The request's body, query or path parameters are not what the route declares: a 400. */
export class RequestValidationError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(
      issues.length === 1 ? `${describe(issues[0]!)}` : `${issues.length} problems: ${issues.map(describe).join('; ')}`,
    );
    this.name = 'RequestValidationError';
  }
}

function describe(issue: FieldIssue): string {
  return issue.field === '' ? issue.message : `${issue.field}: ${issue.message}`;
}

/**
 * The global pipe: unknown fields are refused (not silently dropped), values are turned into
 * the DTO classes, and every failure becomes one `RequestValidationError` listing each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Only what the DTO declares is converted; "5" stays a string where a number is wanted.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(fieldIssues(errors)),
  });
}

/** class-validator's tree of errors as a flat list, with dotted paths: `recommendations.0.number`. */
export function fieldIssues(errors: readonly ValidationError[], parent = ''): FieldIssue[] {
  return errors.flatMap((error) => {
    const property = error.property === undefined || error.property === '' ? '' : String(error.property);
    const field = parent === '' ? property : property === '' ? parent : `${parent}.${property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldIssues(error.children ?? [], field)];
  });
}
