import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow, BEARER_SCHEME } from '@app/auth';
import { LPA_REGISTER_COMMAND_ROLES, type Role, TASKING_COMMAND_ROLES } from '@app/domain';
import type { CommandAnswer } from '@app/http';
import { Call, type CommandCall, commandRequest as request } from '../commands/command-call';
import { KebabIdPipe } from './kebab-id.pipe';
import { LpaRegisterService } from './lpa-register.service';
import { AcknowledgeTaskingDto, CompleteTaskingDto, IssueTaskingDto, ReasonDto, RecordLpaDto } from './tasking.dto';
import { TaskingCommands } from './taskings.service';

/**
 * API.md, Commands: who may send each tasking command over HTTP (the domain checks again). The
 * issuers are the domain's less the registrar, whose taskings (corrections of audit findings)
 * only the process managers issue.
 */
const ISSUERS = TASKING_COMMAND_ROLES.CancelTasking satisfies readonly Role[];
const LPA = TASKING_COMMAND_ROLES.AcknowledgeTasking satisfies readonly Role[];


/** API.md, Commands: taskings and the LPA register. */
@ApiTags('taskings')
@ApiBearerAuth(BEARER_SCHEME)
@Controller('api')
export class TaskingCommandsController {
  constructor(
    private readonly taskings: TaskingCommands,
    private readonly register: LpaRegisterService,
  ) {}

  @Post('taskings')
  @HttpCode(201)
  @Allow(...ISSUERS)
  issue(@Body() body: IssueTaskingDto, @Call() call: CommandCall) {
    const { lpas, ...terms } = body;
    return this.taskings.issue(lpas, terms, request(call, ISSUERS));
  }

  @Post('taskings/:id/acknowledgement')
  @HttpCode(200)
  @Allow(...LPA)
  async acknowledge(@Param('id', KebabIdPipe) id: string, @Body() body: AcknowledgeTaskingDto, @Call() call: CommandCall) {
    return this.run(id, { type: 'AcknowledgeTasking', ...body }, call, LPA);
  }

  @Post('taskings/:id/completion')
  @HttpCode(200)
  @Allow(...LPA)
  async complete(@Param('id', KebabIdPipe) id: string, @Body() body: CompleteTaskingDto, @Call() call: CommandCall) {
    return this.run(id, { type: 'CompleteTasking', ...body }, call, LPA);
  }

  @Post('taskings/:id/decline')
  @HttpCode(200)
  @Allow(...LPA)
  async decline(@Param('id', KebabIdPipe) id: string, @Body() body: ReasonDto, @Call() call: CommandCall) {
    return this.run(id, { type: 'DeclineTasking', ...body }, call, LPA);
  }

  @Post('taskings/:id/cancellation')
  @HttpCode(200)
  @Allow(...ISSUERS)
  async cancel(@Param('id', KebabIdPipe) id: string, @Body() body: ReasonDto, @Call() call: CommandCall) {
    return this.run(id, { type: 'CancelTasking', ...body }, call, ISSUERS);
  }

  @Post('lpas')
  @HttpCode(200)
  @Allow('admin')
  async recordLpa(@Body() body: RecordLpaDto, @Call() call: CommandCall) {
    return call.answer(await this.register.record(body, request(call, LPA_REGISTER_COMMAND_ROLES.RecordLpa), call.expectedRevision));
  }

  private async run(id: string, command: Parameters<TaskingCommands['execute']>[1], call: CommandCall, roles: readonly Role[]): Promise<CommandAnswer> {
    return call.answer(await this.taskings.execute(id, command, request(call, roles), call.expectedRevision));
  }
}
