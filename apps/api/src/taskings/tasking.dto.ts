/**
 * Request bodies of the tasking, intelligence requirement, audit finding and LPA register
 * commands (API.md). Shapes and types are checked
 * here; the domain checks the values again (the LPA active on the day, record references, the
 * lifecycle), so a command sent by any other route is held to the same rules.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  AUDIT_FINDING_CATEGORIES,
  AUDIT_FINDING_SEVERITIES,
  type AuditFindingCategory,
  type AuditFindingSeverity,
  KEBAB_CASE,
  MAX_RECORD_REF_LENGTH,
  MAX_REQUIREMENT_QUESTIONS,
  REQUIREMENT_RAGS,
  type RequirementRag,
  VERIFICATION_OUTCOMES,
  type VerificationOutcome,
  MAX_RECORD_REFERENCES,
  TASKING_PRIORITIES,
  TASKING_SOURCE_KINDS,
  type TaskingPriority,
  type TaskingSourceKind,
} from '@app/domain';

const ID_LENGTH = 100;
const NAME_LENGTH = 200;
const TEXT_LENGTH = 20_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An instant as API.md writes them: UTC, `Z`; the domain checks it is a real one, and later than now. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;
/** At most the five LPAs of 2017, or as many as a future register holds. */
const MAX_LPAS = 50;

/** A list of LPA codes, each named once; whether each is in the register is the domain's to say. */
const LpaCodes = (): PropertyDecorator =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_LPAS),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(KEBAB_CASE, { each: true, message: 'each of lpas must be an LPA code (kebab-case)' }),
    MaxLength(ID_LENGTH, { each: true }),
  );

/** What an issuer may task for over HTTP: corrections of audit findings are the registrar's (issued by the process managers). */
const ISSUER_SOURCE_KINDS = TASKING_SOURCE_KINDS.filter((kind) => kind !== 'audit-finding');

export class TaskingSourceDto {
  @ApiProperty({ enum: ISSUER_SOURCE_KINDS })
  @IsIn(ISSUER_SOURCE_KINDS)
  kind!: TaskingSourceKind;

  @ApiProperty({ maxLength: ID_LENGTH })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'id must be the id of the source (kebab-case)' })
  @MaxLength(ID_LENGTH)
  id!: string;
}

export class IssueTaskingDto {
  @ApiProperty({ type: [String], example: ['shropshire', 'telford-and-wrekin'], description: 'one tasking per LPA' })
  @LpaCodes()
  lpas!: string[];

  @ApiProperty({ maxLength: NAME_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_LENGTH)
  title!: string;

  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  instructions!: string;

  @ApiProperty({ enum: TASKING_PRIORITIES })
  @IsIn(TASKING_PRIORITIES)
  priority!: TaskingPriority;

  @ApiProperty({ format: 'date-time', example: '2017-12-14T17:00:00Z' })
  @IsString()
  @Matches(INSTANT, { message: 'dueAt must be an instant, ISO 8601 in UTC (…Z)' })
  dueAt!: string;

  @ApiPropertyOptional({ type: TaskingSourceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TaskingSourceDto)
  source?: TaskingSourceDto;
}

export class AcknowledgeTaskingDto {
  @ApiPropertyOptional({ maxLength: TEXT_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_LENGTH)
  note?: string;
}

export class CompleteTaskingDto {
  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  outcome!: string;

  @ApiPropertyOptional({ type: [String], example: ['22/45678/17'], description: "record references (crime or incident numbers), never a person's details" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_RECORD_REFERENCES)
  @IsString({ each: true })
  @MaxLength(MAX_RECORD_REF_LENGTH, { each: true })
  refs?: string[];
}

export class ReasonDto {
  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  reason!: string;
}

export class RecordLpaDto {
  @ApiProperty({ maxLength: ID_LENGTH, example: 'shropshire-and-telford' })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'code must be kebab-case' })
  @MaxLength(ID_LENGTH)
  code!: string;

  @ApiProperty({ maxLength: NAME_LENGTH, example: 'Shropshire & Telford' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_LENGTH)
  name!: string;

  @ApiProperty({ format: 'date', description: 'its first day' })
  @Matches(DATE, { message: 'activeFrom must be a date (YYYY-MM-DD)' })
  activeFrom!: string;

  @ApiPropertyOptional({ format: 'date', description: 'its last day: the same code with activeTo ends the LPA' })
  @IsOptional()
  @Matches(DATE, { message: 'activeTo must be a date (YYYY-MM-DD)' })
  activeTo?: string;
}


export class RaiseRequirementDto {
  @ApiPropertyOptional({ maxLength: ID_LENGTH, description: 'kebab-case; given by the API when absent', example: 'modern-slavery' })
  @IsOptional()
  @IsString()
  @Matches(KEBAB_CASE, { message: 'id must be kebab-case' })
  @MaxLength(ID_LENGTH)
  id?: string;

  @ApiProperty({ maxLength: NAME_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_LENGTH)
  title!: string;

  @ApiProperty({ maxLength: ID_LENGTH, example: 'modern-slavery', description: 'a control-strategy priority code' })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'priority must be a control-strategy priority code (kebab-case)' })
  @MaxLength(ID_LENGTH)
  priority!: string;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REQUIREMENT_QUESTIONS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(TEXT_LENGTH, { each: true })
  questions!: string[];

  @ApiProperty({ enum: REQUIREMENT_RAGS })
  @IsIn(REQUIREMENT_RAGS)
  rag!: RequirementRag;

  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  rationale!: string;
}

/** A new version's questions, rating and rationale, as at raising, and the LPAs to task. */
export class RefreshRequirementDto extends PickType(RaiseRequirementDto, ['questions', 'rag', 'rationale'] as const) {
  @ApiProperty({ type: [String], description: 'the LPAs to task with filling it' })
  @LpaCodes()
  lpas!: string[];

  @ApiProperty({ format: 'date-time' })
  @IsString()
  @Matches(INSTANT, { message: 'dueAt must be an instant, ISO 8601 in UTC (…Z)' })
  dueAt!: string;
}

export class RecordFindingDto {
  @ApiProperty({ maxLength: ID_LENGTH, example: 'modern-slavery-thematic-2017' })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'auditId must be kebab-case' })
  @MaxLength(ID_LENGTH)
  auditId!: string;

  @ApiProperty({ maxLength: ID_LENGTH, example: 'shropshire' })
  @IsString()
  @Matches(KEBAB_CASE, { message: 'lpa must be an LPA code (kebab-case)' })
  @MaxLength(ID_LENGTH)
  lpa!: string;

  @ApiProperty({ enum: AUDIT_FINDING_CATEGORIES })
  @IsIn(AUDIT_FINDING_CATEGORIES)
  category!: AuditFindingCategory;

  @ApiProperty({ enum: AUDIT_FINDING_SEVERITIES })
  @IsIn(AUDIT_FINDING_SEVERITIES)
  severity!: AuditFindingSeverity;

  @ApiProperty({ maxLength: TEXT_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_LENGTH)
  finding!: string;

  @ApiPropertyOptional({ maxLength: MAX_RECORD_REF_LENGTH, description: "a crime or incident number, never a person's details", example: '22/12345/17' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RECORD_REF_LENGTH)
  recordRef?: string;

  @ApiProperty({ format: 'date-time' })
  @IsString()
  @Matches(INSTANT, { message: 'correctionDueAt must be an instant, ISO 8601 in UTC (…Z)' })
  correctionDueAt!: string;
}

export class VerifyCorrectionDto {
  @ApiProperty({ enum: VERIFICATION_OUTCOMES })
  @IsIn(VERIFICATION_OUTCOMES)
  outcome!: VerificationOutcome;

  @ApiPropertyOptional({ maxLength: TEXT_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT_LENGTH)
  note?: string;
}
