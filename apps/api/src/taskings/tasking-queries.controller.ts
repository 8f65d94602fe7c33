import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, BEARER_SCHEME, CurrentPrincipal, type Principal, actorFor } from '@app/auth';
import { ROLES, type Role, TASKING_COMMAND_ROLES } from '@app/domain';
import { setETag } from '@app/http';
import { ReadModel, taskingStream } from '@app/read-model';
import { AsOfQuery, ReadYourWritesQuery } from '../recommendations/recommendation-queries.dto';
import { KebabIdPipe } from './kebab-id.pipe';
import { LpaRegisterService } from './lpa-register.service';
import { TaskingCommands } from './taskings.service';

/**
 * API.md, Queries: a tasking and its history are for its issuers, the board, and its own LPA. (A
 * user holding several roles reads in the first of these it holds: board before lpa.)
 */
const TASKING_READERS = [...TASKING_COMMAND_ROLES.IssueTasking, 'board', 'lpa'] as const satisfies readonly Role[];

/**
 * API.md, Queries: one tasking (its state, read from its stream, and its events), and the LPA
 * register. An LPA user asking for another LPA's tasking is answered as for one that does not
 * exist. (The tasking lists and an LPA's queue need the read model's tasking tables: not yet.)
 */
@ApiTags('taskings')
@ApiBearerAuth(BEARER_SCHEME)
@Controller('api')
export class TaskingQueriesController {
  constructor(
    private readonly taskings: TaskingCommands,
    private readonly register: LpaRegisterService,
    private readonly readModel: ReadModel,
  ) {}

  @Get('taskings/:id')
  @Allow(...TASKING_READERS)
  async tasking(@Param('id', KebabIdPipe) id: string, @Query() query: AsOfQuery, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const tasking = await this.taskings.visibleTasking(id, actorFor(principal, TASKING_READERS), query.asOf);
    setETag(reply, tasking.revision);
    return tasking;
  }

  @Get('taskings/:id/history')
  @Allow(...TASKING_READERS)
  async history(@Param('id', KebabIdPipe) id: string, @Query() query: ReadYourWritesQuery, @CurrentPrincipal() principal: Principal) {
    // Whether the caller may know of it is the log's to say, before the read model is asked.
    await this.taskings.visibleTasking(id, actorFor(principal, TASKING_READERS));
    if (query.position !== undefined) await this.readModel.waitForPosition(BigInt(query.position));
    // From the read model's timeline, which may not have every event yet: ?position= waits for it.
    return { events: await this.readModel.streamHistory(taskingStream(id)) };
  }

  @Get('lpas')
  @Allow(...ROLES)
  async lpas(@Query() query: AsOfQuery) {
    const register = await this.register.register(query.asOf);
    return { items: register.lpas, next: null };
  }
}
