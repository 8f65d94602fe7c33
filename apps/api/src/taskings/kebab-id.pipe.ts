import type { PipeTransform } from '@nestjs/common';
import { isKebabCaseId } from '@app/domain';
import { RequestValidationError } from '@app/http';

/** An id in the path (a tasking's, a requirement's, a finding's): kebab-case, at most 100 characters. */
export class KebabIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isKebabCaseId(value)) throw new RequestValidationError([{ field: 'id', message: 'must be an id: kebab-case, at most 100 characters' }]);
    return value;
  }
}

/** An LPA's code in the path: kebab-case, at most 100 characters. */
export class LpaCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isKebabCaseId(value)) throw new RequestValidationError([{ field: 'code', message: 'must be an LPA code: kebab-case, at most 100 characters' }]);
    return value;
  }
}
