/**
 * Request bodies of the inspection and recommendation commands (API.md). Shapes and types are
 * checked here; the domain checks the values again (a real calendar date, the rules of the
 * lifecycle), so a command sent by any other route is held to the same rules.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ADDRESSEES,
  type Addressee,
  CLOSURE_DECISIONS,
  type ClosureDecision,
  KEBAB_CASE,
  PROGRESS_STATUSES,
  type ProgressStatus,
  TIMESCALES,
  type Timescale,
} from '@app/domain';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID_LENGTH = 100;
const NAME_LENGTH = 200;
const TEXT_LENGTH = 20_000;

export class RecommendationTermsDto {
  @ApiProperty({ example: 1, minimum: 1 })
  @IsInt()
  @Min(1)
  number!: number;

  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  text!: string;

  @ApiProperty({ enum: ADDRESSEES })
  @IsIn(ADDRESSEES)
  addressee!: Addressee;

  @ApiProperty({ example: 'intelligence', description: 'a kebab-case label' })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'area must be a kebab-case label' })
  @MaxLength(ID_LENGTH)
  area!: string;

  @ApiProperty({ enum: TIMESCALES })
  @IsIn(TIMESCALES)
  timescale!: Timescale;
}

export class RegisterInspectionDto {
  @ApiProperty({ example: 'stolen-freedom', maxLength: ID_LENGTH })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'id must be lowercase kebab-case' })
  @MaxLength(ID_LENGTH)
  id!: string;

  @ApiProperty({ example: 'Stolen Freedom: the policing response to modern slavery and human trafficking' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_LENGTH * 2)
  title!: string;

  @ApiProperty({ example: 'HMICFRS' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_LENGTH)
  inspectorate!: string;

  @ApiProperty({ example: '2017-10-24', format: 'date' })
  @Matches(DATE, { message: 'publishedOn must be a date (YYYY-MM-DD)' })
  publishedOn!: string;

  @ApiProperty({ type: [RecommendationTermsDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RecommendationTermsDto)
  recommendations!: RecommendationTermsDto[];
}

export class AssignRecommendationDto {
  @ApiProperty({ maxLength: ID_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ID_LENGTH)
  ownerId!: string;

  @ApiProperty({ maxLength: NAME_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_LENGTH)
  ownerName!: string;

  @ApiPropertyOptional({ maxLength: TEXT_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_LENGTH)
  note?: string;
}

export class PlanActionDto {
  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  description!: string;

  @ApiProperty({ maxLength: ID_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(ID_LENGTH)
  ownerId!: string;

  @ApiProperty({ format: 'date' })
  @Matches(DATE, { message: 'dueOn must be a date (YYYY-MM-DD)' })
  dueOn!: string;

  @ApiPropertyOptional({ description: 'the code of the local policing area that carries it out' })
  @IsOptional()
  @IsString()
  @Matches(KEBAB_CASE, { message: 'lpa must be an LPA code (kebab-case)' })
  @MaxLength(ID_LENGTH)
  lpa?: string;
}

export class RecordActionProgressDto {
  @ApiProperty({ enum: PROGRESS_STATUSES })
  @IsIn(PROGRESS_STATUSES)
  status!: ProgressStatus;

  @ApiPropertyOptional({ maxLength: TEXT_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_LENGTH)
  note?: string;
}

export class ExtendDueDateDto {
  @ApiProperty({ format: 'date' })
  @Matches(DATE, { message: 'dueOn must be a date (YYYY-MM-DD)' })
  dueOn!: string;

  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  reason!: string;
}

export class ProposeClosureDto {
  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  evidence!: string;
}

export class DecideClosureDto {
  @ApiProperty({ enum: CLOSURE_DECISIONS })
  @IsIn(CLOSURE_DECISIONS)
  decision!: ClosureDecision;

  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  reason!: string;
}

export class ReopenRecommendationDto {
  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  reason!: string;
}
