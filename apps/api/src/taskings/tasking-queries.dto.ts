/** Query strings of the tasking, LPA queue and audit finding lists (API.md, Queries). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import {
  AUDIT_FINDING_STATUSES,
  type AuditFindingStatus,
  KEBAB_CASE,
  TASKING_SOURCE_KINDS,
  TASKING_STATUSES,
  type TaskingSourceKind,
  type TaskingStatus,
} from '@app/domain';
import { PageQuery } from '../recommendations/recommendation-queries.dto';

/**
 * A filter that may repeat (`?status=delivered&status=acknowledged`): the query string gives one
 * value as a string and several as an array; either becomes a list. Anything else (an object, from
 * `status[a]=`) is left as it is, for the validators to refuse.
 */
const repeatable = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value));

export class TaskingListQuery extends PageQuery {
  @ApiPropertyOptional({ description: "an LPA's code; an LPA user may name its own LPA only (else 403)" })
  @IsOptional()
  @MaxLength(100, { message: 'lpa must be an LPA code (kebab-case, at most 100 characters)' })
  @Matches(KEBAB_CASE, { message: 'lpa must be an LPA code (kebab-case, at most 100 characters)' })
  lpa?: string;

  @ApiPropertyOptional({ enum: TASKING_STATUSES, isArray: true, description: 'repeat it for any of several' })
  @IsOptional()
  @repeatable
  @ArrayMaxSize(TASKING_STATUSES.length, { message: `status may be given at most ${TASKING_STATUSES.length} times` })
  @IsIn(TASKING_STATUSES, { each: true, message: `status must be one of ${TASKING_STATUSES.join(', ')}` })
  status?: TaskingStatus[];

  @ApiPropertyOptional({ description: 'the id of what the tasking was issued for (a recommendation, an intelligence requirement, an audit finding)' })
  @IsOptional()
  @MaxLength(100, { message: 'source must be an id (kebab-case, at most 100 characters)' })
  @Matches(KEBAB_CASE, { message: 'source must be an id (kebab-case, at most 100 characters)' })
  source?: string;

  @ApiPropertyOptional({ enum: TASKING_SOURCE_KINDS, description: 'the kind of what it was issued for' })
  @IsOptional()
  @IsIn(TASKING_SOURCE_KINDS, { message: `sourceKind must be one of ${TASKING_SOURCE_KINDS.join(', ')}` })
  sourceKind?: TaskingSourceKind;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only escalated taskings (whatever their status); false: only the others' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'escalated must be true or false' })
  escalated?: 'true' | 'false';
}

export class AuditFindingListQuery extends PageQuery {
  @ApiPropertyOptional({ description: "an LPA's code" })
  @IsOptional()
  @MaxLength(100, { message: 'lpa must be an LPA code (kebab-case, at most 100 characters)' })
  @Matches(KEBAB_CASE, { message: 'lpa must be an LPA code (kebab-case, at most 100 characters)' })
  lpa?: string;

  @ApiPropertyOptional({ enum: AUDIT_FINDING_STATUSES, isArray: true, description: 'repeat it for any of several; open ones are all but verified' })
  @IsOptional()
  @repeatable
  @ArrayMaxSize(AUDIT_FINDING_STATUSES.length, { message: `status may be given at most ${AUDIT_FINDING_STATUSES.length} times` })
  @IsIn(AUDIT_FINDING_STATUSES, { each: true, message: `status must be one of ${AUDIT_FINDING_STATUSES.join(', ')}` })
  status?: AuditFindingStatus[];
}
