import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { actorFor, Allow, BEARER_SCHEME, CurrentPrincipal, type Principal } from '@app/auth';
import { INSPECTION_COMMAND_ROLES, RECOMMENDATION_COMMAND_ROLES } from '@app/domain';
import { type CommandAnswer, CommandId, IfMatch, setETag } from '@app/http';
import { RecommendationIdPipe } from './recommendation-id.pipe';
import {
  AssignRecommendationDto,
  DecideClosureDto,
  ExtendDueDateDto,
  PlanActionDto,
  ProposeClosureDto,
  RecordActionProgressDto,
  RegisterInspectionDto,
  ReopenRecommendationDto,
} from './recommendation.dto';
import { type CommandRequest, RecommendationCommands } from './recommendation-commands.service';

type CommandType = keyof typeof RECOMMENDATION_COMMAND_ROLES;

/** API.md, Commands: inspections and recommendations. Roles as DOMAIN.md, checked again by the domain. */
@ApiTags('recommendations')
@ApiBearerAuth(BEARER_SCHEME)
@Controller('api')
export class RecommendationCommandsController {
  constructor(private readonly commands: RecommendationCommands) {}

  @Post('inspections')
  @HttpCode(201)
  @Allow(...INSPECTION_COMMAND_ROLES.RegisterInspection)
  async registerInspection(
    @Body() body: RegisterInspectionDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const request = this.request(principal, commandId, INSPECTION_COMMAND_ROLES.RegisterInspection);
    const answer = await this.commands.registerInspection(body, request);
    setETag(reply, answer.revision);
    return answer;
  }

  @Post('recommendations/:id/assignment')
  @HttpCode(200)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.AssignRecommendation)
  assign(
    @Param('id', RecommendationIdPipe) id: string,
    @Body() body: AssignRecommendationDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer> {
    return this.run(reply, id, 'AssignRecommendation', { ...body }, principal, commandId, expectedRevision);
  }

  @Post('recommendations/:id/actions')
  @HttpCode(201)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.PlanAction)
  async planAction(
    @Param('id', RecommendationIdPipe) id: string,
    @Body() body: PlanActionDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer & { actionId: string }> {
    const actionId = this.commands.actionIdFor(commandId);
    const answer = await this.run(reply, id, 'PlanAction', { ...body, actionId }, principal, commandId, expectedRevision);
    return { ...answer, actionId };
  }

  @Post('recommendations/:id/actions/:actionId/progress')
  @HttpCode(200)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.RecordActionProgress)
  recordProgress(
    @Param('id', RecommendationIdPipe) id: string,
    @Param('actionId') actionId: string,
    @Body() body: RecordActionProgressDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer> {
    return this.run(reply, id, 'RecordActionProgress', { ...body, actionId }, principal, commandId, expectedRevision);
  }

  @Post('recommendations/:id/due-date')
  @HttpCode(200)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.ExtendDueDate)
  extendDueDate(
    @Param('id', RecommendationIdPipe) id: string,
    @Body() body: ExtendDueDateDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer> {
    return this.run(reply, id, 'ExtendDueDate', { ...body }, principal, commandId, expectedRevision);
  }

  @Post('recommendations/:id/closure-proposal')
  @HttpCode(200)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.ProposeClosure)
  proposeClosure(
    @Param('id', RecommendationIdPipe) id: string,
    @Body() body: ProposeClosureDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer> {
    return this.run(reply, id, 'ProposeClosure', { ...body }, principal, commandId, expectedRevision);
  }

  @Post('recommendations/:id/closure-decision')
  @HttpCode(200)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.DecideClosure)
  decideClosure(
    @Param('id', RecommendationIdPipe) id: string,
    @Body() body: DecideClosureDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer> {
    return this.run(reply, id, 'DecideClosure', { ...body }, principal, commandId, expectedRevision);
  }

  @Post('recommendations/:id/reopening')
  @HttpCode(200)
  @Allow(...RECOMMENDATION_COMMAND_ROLES.ReopenRecommendation)
  reopen(
    @Param('id', RecommendationIdPipe) id: string,
    @Body() body: ReopenRecommendationDto,
    @CurrentPrincipal() principal: Principal,
    @CommandId() commandId: string,
    @IfMatch() expectedRevision: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandAnswer> {
    return this.run(reply, id, 'ReopenRecommendation', { ...body }, principal, commandId, expectedRevision);
  }

  private async run<Type extends Exclude<CommandType, 'RegisterRecommendation'>>(
    reply: FastifyReply,
    id: string,
    type: Type,
    fields: object,
    principal: Principal,
    commandId: string,
    expectedRevision: number | undefined,
  ): Promise<CommandAnswer> {
    const request = this.request(principal, commandId, RECOMMENDATION_COMMAND_ROLES[type]);
    const answer = await this.commands.execute(id, { type, ...fields } as never, request, expectedRevision);
    setETag(reply, answer.revision);
    return answer;
  }

  private request(principal: Principal, commandId: string, roles: readonly string[]): CommandRequest {
    return {
      actor: actorFor(principal, roles as Parameters<typeof actorFor>[1]),
      commandId,
      correlationId: commandId,
      now: new Date().toISOString(),
    };
  }
}
