import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow, BEARER_SCHEME } from '@app/auth';
import { INSPECTION_COMMAND_ROLES, RECOMMENDATION_COMMAND_ROLES } from '@app/domain';
import type { CommandAnswer } from '@app/http';
import { Call, type CommandCall, commandRequest as request } from '../commands/command-call';
import { LpaRegisterService } from '../taskings/lpa-register.service';
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
import { RecommendationCommands } from './recommendation-commands.service';

type RecommendationCommandType = Exclude<keyof typeof RECOMMENDATION_COMMAND_ROLES, 'RegisterRecommendation'>;
const ROLES = RECOMMENDATION_COMMAND_ROLES;

/** API.md, Commands: inspections and recommendations. Roles as DOMAIN.md, checked again by the domain. */
@ApiTags('recommendations')
@ApiBearerAuth(BEARER_SCHEME)
@Controller('api')
export class RecommendationCommandsController {
  constructor(
    private readonly commands: RecommendationCommands,
    private readonly register: LpaRegisterService,
  ) {}

  @Post('inspections')
  @HttpCode(201)
  @Allow(...INSPECTION_COMMAND_ROLES.RegisterInspection)
  async registerInspection(@Body() body: RegisterInspectionDto, @Call() call: CommandCall) {
    return call.answer(await this.commands.registerInspection(body, request(call, INSPECTION_COMMAND_ROLES.RegisterInspection)));
  }

  @Post('recommendations/:id/assignment')
  @HttpCode(200)
  @Allow(...ROLES.AssignRecommendation)
  assign(@Param('id', RecommendationIdPipe) id: string, @Body() body: AssignRecommendationDto, @Call() call: CommandCall) {
    return this.run(id, 'AssignRecommendation', body, call);
  }

  @Post('recommendations/:id/actions')
  @HttpCode(201)
  @Allow(...ROLES.PlanAction)
  async planAction(@Param('id', RecommendationIdPipe) id: string, @Body() body: PlanActionDto, @Call() call: CommandCall) {
    const actionId = this.commands.actionIdFor(call.commandId, call.keyed);
    const planning = request(call, ROLES.PlanAction);
    // The action's LPA, when it names one, must be active on the day: the register is read then only.
    const activeLpas = body.lpa === undefined ? [] : await this.register.activeOn(planning.now, [body.lpa]);
    return { ...call.answer(await this.commands.execute(id, { type: 'PlanAction', ...body, actionId, activeLpas }, planning, call.expectedRevision)), actionId };
  }

  @Post('recommendations/:id/actions/:actionId/progress')
  @HttpCode(200)
  @Allow(...ROLES.RecordActionProgress)
  recordProgress(
    @Param('id', RecommendationIdPipe) id: string,
    @Param('actionId') actionId: string,
    @Body() body: RecordActionProgressDto,
    @Call() call: CommandCall,
  ) {
    return this.run(id, 'RecordActionProgress', { ...body, actionId }, call);
  }

  @Post('recommendations/:id/due-date')
  @HttpCode(200)
  @Allow(...ROLES.ExtendDueDate)
  extendDueDate(@Param('id', RecommendationIdPipe) id: string, @Body() body: ExtendDueDateDto, @Call() call: CommandCall) {
    return this.run(id, 'ExtendDueDate', body, call);
  }

  @Post('recommendations/:id/closure-proposal')
  @HttpCode(200)
  @Allow(...ROLES.ProposeClosure)
  proposeClosure(@Param('id', RecommendationIdPipe) id: string, @Body() body: ProposeClosureDto, @Call() call: CommandCall) {
    return this.run(id, 'ProposeClosure', body, call);
  }

  @Post('recommendations/:id/closure-decision')
  @HttpCode(200)
  @Allow(...ROLES.DecideClosure)
  decideClosure(@Param('id', RecommendationIdPipe) id: string, @Body() body: DecideClosureDto, @Call() call: CommandCall) {
    return this.run(id, 'DecideClosure', body, call);
  }

  @Post('recommendations/:id/reopening')
  @HttpCode(200)
  @Allow(...ROLES.ReopenRecommendation)
  reopen(@Param('id', RecommendationIdPipe) id: string, @Body() body: ReopenRecommendationDto, @Call() call: CommandCall) {
    return this.run(id, 'ReopenRecommendation', body, call);
  }

  private async run(id: string, type: RecommendationCommandType, fields: object, call: CommandCall): Promise<CommandAnswer> {
    return call.answer(await this.commands.execute(id, { type, ...fields } as never, request(call, ROLES[type]), call.expectedRevision));
  }
}
