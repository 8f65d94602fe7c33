import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Allow, BEARER_SCHEME } from '@app/auth';
import { AUDIT_FINDING_COMMAND_ROLES, INTELLIGENCE_REQUIREMENT_COMMAND_ROLES, type Role } from '@app/domain';
import { setETag } from '@app/http';
import { ReadModel } from '@app/read-model';
import type { FastifyReply } from 'fastify';
import { Call, type CommandCall, commandRequest as request } from '../commands/command-call';
import { READERS } from '../readers';
import { AsOfQuery } from '../recommendations/recommendation-queries.dto';
import { KebabIdPipe } from './kebab-id.pipe';
import { AuditFindingListQuery } from './tasking-queries.dto';
import { RaiseRequirementDto, RecordFindingDto, RefreshRequirementDto, VerifyCorrectionDto } from './tasking.dto';
import { TaskingSources } from './tasking-sources.service';

const REQUIREMENT_ROLES = INTELLIGENCE_REQUIREMENT_COMMAND_ROLES;
const FINDING_ROLES = AUDIT_FINDING_COMMAND_ROLES;
/** API.md, Queries: audit findings are read by the registrar, the board and the strategic lead. */
const FINDING_READERS = ['registrar', 'board', 'strategic-lead'] as const satisfies readonly Role[];
/** `?version=N` (a version as it was made), beside `?asOf=` and `?position=` as every aggregate GET takes them. */
export class RequirementQueryDto extends AsOfQuery {
  @ApiPropertyOptional({ description: 'a version as it was made; the latest, with its current rating, when absent', minimum: 1 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'version must be a whole number' })
  @Min(1)
  @Max(999_999_999)
  version?: number;
}

/** API.md, Commands and Queries: intelligence requirements and audit findings (one, and their list). */
@ApiTags('taskings')
@ApiBearerAuth(BEARER_SCHEME)
@Controller('api')
export class TaskingSourcesController {
  constructor(
    private readonly sources: TaskingSources,
    private readonly readModel: ReadModel,
  ) {}

  @Post('intelligence-requirements')
  @HttpCode(201)
  @Allow(...REQUIREMENT_ROLES.RaiseIntelligenceRequirement)
  async raise(@Body() body: RaiseRequirementDto, @Call() call: CommandCall) {
    return call.answer(await this.sources.raise(body, request(call, REQUIREMENT_ROLES.RaiseIntelligenceRequirement)));
  }

  @Post('intelligence-requirements/:id/refresh')
  @HttpCode(200)
  @Allow(...REQUIREMENT_ROLES.RefreshIntelligenceRequirement)
  async refresh(@Param('id', KebabIdPipe) id: string, @Body() body: RefreshRequirementDto, @Call() call: CommandCall) {
    return call.answer(await this.sources.refresh(id, body, request(call, REQUIREMENT_ROLES.RefreshIntelligenceRequirement), call.expectedRevision));
  }

  @Get('intelligence-requirements/:id')
  @Allow(...READERS)
  async requirement(@Param('id', KebabIdPipe) id: string, @Query() query: RequirementQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.sources.requirement(id, query.version, query.asOf);
    setETag(reply, view.revision);
    return view;
  }

  @Post('audit-findings')
  @HttpCode(201)
  @Allow(...FINDING_ROLES.RecordAuditFinding)
  async recordFinding(@Body() body: RecordFindingDto, @Call() call: CommandCall) {
    return call.answer(await this.sources.recordFinding(body, request(call, FINDING_ROLES.RecordAuditFinding)));
  }

  /** The findings in the order recorded, filtered by LPA and status, paged; as the log stood at `asOf` when given. */
  @Get('audit-findings')
  @Allow(...FINDING_READERS)
  async findings(@Query() query: AuditFindingListQuery) {
    if (query.position !== undefined) await this.readModel.waitForPosition(BigInt(query.position));
    const filters = { lpa: query.lpa, status: query.status, after: query.after, limit: query.limit };
    return query.asOf ? this.readModel.auditFindingsAsOf(query.asOf, filters) : this.readModel.listAuditFindings(filters);
  }

  @Post('audit-findings/:id/verification')
  @HttpCode(200)
  @Allow(...FINDING_ROLES.VerifyCorrection)
  async verify(@Param('id', KebabIdPipe) id: string, @Body() body: VerifyCorrectionDto, @Call() call: CommandCall) {
    return call.answer(await this.sources.verifyCorrection(id, body, request(call, FINDING_ROLES.VerifyCorrection), call.expectedRevision));
  }
}
