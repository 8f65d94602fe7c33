import { type PipeTransform } from '@nestjs/common';
import { KEBAB_CASE } from '@app/domain';
import { RequestValidationError } from '@app/http';

/**
 * A recommendation id is `<inspection id>-<number>`: an inspection id (kebab-case, at most 100
 * characters), a dash, and a number as registration takes one: any positive integer the domain
 * holds exactly (API.md, Values: "a positive integer"; libs/domain: a safe integer), so that every
 * recommendation registered can be read and acted on.
 */
const RECOMMENDATION_ID = new RegExp(`${KEBAB_CASE.source.slice(0, -1)}-(?<number>[1-9][0-9]*)$`);
const MAX_LENGTH = 100 + '-'.length + String(Number.MAX_SAFE_INTEGER).length;

export class RecommendationIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const number = value.length <= MAX_LENGTH ? RECOMMENDATION_ID.exec(value)?.groups?.number : undefined;
    if (number === undefined || !Number.isSafeInteger(Number(number))) {
      throw new RequestValidationError([{ field: 'id', message: 'must be a recommendation id: <inspection id>-<number>' }]);
    }
    return value;
  }
}
