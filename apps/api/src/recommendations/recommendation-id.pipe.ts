import { type PipeTransform } from '@nestjs/common';
import { KEBAB_CASE } from '@app/domain';
import { RequestValidationError } from '@app/http';

/** A recommendation id is `<inspection id>-<number>`: an inspection id (kebab-case, at most 100 characters), a dash, a number. */
const RECOMMENDATION_ID = new RegExp(`${KEBAB_CASE.source.slice(0, -1)}-[1-9][0-9]{0,8}$`);
const MAX_LENGTH = 110;

export class RecommendationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length > MAX_LENGTH || !RECOMMENDATION_ID.test(value)) {
      throw new RequestValidationError([{ field: 'id', message: 'must be a recommendation id: <inspection id>-<number>' }]);
    }
    return value;
  }
}
