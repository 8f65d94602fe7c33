import { type PipeTransform } from '@nestjs/common';
import { RequestValidationError } from '@app/http';

/** A recommendation id is `<inspection id>-<number>`: lowercase kebab-case, at most 100 characters. */
const RECOMMENDATION_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export class RecommendationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length > 100 || !RECOMMENDATION_ID.test(value)) {
      throw new RequestValidationError([{ field: 'id', message: 'must be a recommendation id: lowercase kebab-case, at most 100 characters' }]);
    }
    return value;
  }
}
