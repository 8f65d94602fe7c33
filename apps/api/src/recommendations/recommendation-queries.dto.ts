/** Query strings of the recommendation, history and board routes (API.md, Queries). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { RECOMMENDATION_STATUSES, type RecommendationStatus } from '@app/domain';

const POSITION = /^\d{1,20}$/;
const INSTANT = { strict: true, strictSeparator: true } as const;
/** API.md: instants are ISO 8601 in UTC, ending in `Z`. */
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

/** `?position=`: read your writes. */
export class ReadYourWritesQuery {
  @ApiPropertyOptional({ description: 'answer only once the read model reflects this position of the log (waits up to 5 s)' })
  @IsOptional()
  @Matches(POSITION, { message: 'position must be a log position (a whole number)' })
  position?: string;
}

/** `?asOf=`: time travel. */
export class AsOfQuery extends ReadYourWritesQuery {
  @ApiPropertyOptional({ description: 'an instant (ISO 8601): the answer is what the log said then', example: '2018-01-31T23:59:59Z' })
  @IsOptional()
  @IsISO8601(INSTANT, { message: 'asOf must be an ISO 8601 instant' })
  @Matches(UTC_INSTANT, { message: 'asOf must be an instant in UTC, ending in Z (2018-01-31T23:59:59Z)' })
  asOf?: string;
}

export class PageQuery extends AsOfQuery {
  @ApiPropertyOptional({ description: 'the `next` cursor of the previous page' })
  @IsOptional()
  @Matches(POSITION, { message: 'after must be the cursor a previous page gave as next' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'limit must be a whole number from 1 to 1000' })
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class RecommendationListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: RECOMMENDATION_STATUSES })
  @IsOptional()
  @IsIn(RECOMMENDATION_STATUSES)
  status?: RecommendationStatus;

  @ApiPropertyOptional({ description: "the owner's id" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  owner?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue must be true or false' })
  overdue?: 'true' | 'false';
}

export class HistoryQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'a stream, e.g. recommendation-stolen-freedom-4' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  stream?: string;

  @ApiPropertyOptional({ description: 'an event type, e.g. ClosureApproved' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  type?: string;

  @ApiPropertyOptional({ description: 'recorded at or after this instant' })
  @IsOptional()
  @IsISO8601(INSTANT, { message: 'from must be an ISO 8601 instant' })
  @Matches(UTC_INSTANT, { message: 'from must be an instant in UTC, ending in Z (2018-01-31T23:59:59Z)' })
  from?: string;

  @ApiPropertyOptional({ description: 'recorded at or before this instant' })
  @IsOptional()
  @IsISO8601(INSTANT, { message: 'to must be an ISO 8601 instant' })
  @Matches(UTC_INSTANT, { message: 'to must be an instant in UTC, ending in Z (2018-01-31T23:59:59Z)' })
  to?: string;
}
