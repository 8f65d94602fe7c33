import { Controller, Get, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessDeniedError, Allow, BEARER_SCHEME, CurrentPrincipal, type Principal, actorFor } from '@app/auth';
import { type Actor, ROLES, type Role, TASKING_COMMAND_ROLES } from '@app/domain';
import { setETag } from '@app/http';
import { ReadModel, taskingStream } from '@app/read-model';
import { READERS } from '../readers';
import { AsOfQuery, PageQuery, ReadYourWritesQuery } from '../recommendations/recommendation-queries.dto';
import { KebabIdPipe, LpaCodePipe } from './kebab-id.pipe';
import { TaskingListQuery } from './tasking-queries.dto';
import { LpaRegisterService } from './lpa-register.service';
import { TaskingCommands } from './taskings.service';

/**
 * API.md, Queries: a tasking and its history are for its issuers, the board, and its own LPA. (A
 * user holding several roles reads in the first of these it holds: board before lpa.)
 */
const TASKING_READERS = [...TASKING_COMMAND_ROLES.IssueTasking, 'board', 'lpa'] as const satisfies readonly Role[];

/** API.md, Queries: every role lists taskings, an LPA user its own LPA's only (lpa last, as above). */
const LIST_READERS = [...READERS, 'lpa'] as const satisfies readonly Role[];

/** API.md, Queries: an LPA's queue is for that LPA, the issuers of taskings but the registrar, and the board. */
const QUEUE_READERS = ['strategic-lead', 'intelligence', 'board', 'lpa'] as const satisfies readonly Role[];

/**
 * API.md, Queries: one tasking (its state, read from its stream, and its events), the tasking
 * list, an LPA's queue, and the LPA register. An LPA user asking for another LPA's tasking is
 * answered as for one that does not exist; asking for another LPA's list or queue is refused
 * (403) whatever it holds, so that the answer says nothing of it. (LPA codes are no secret: the
 * register is read by everyone.)
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
    await this.readYourWrites(query);
    // From the read model's timeline, which may not have every event yet: ?position= waits for it.
    return { events: await this.readModel.streamHistory(taskingStream(id)) };
  }

  /**
   * The taskings in the order issued, filtered and paged; as the log stood at `asOf` when given.
   * An LPA user's list is its own LPA's, always: `lpa` naming another LPA is a 403 rather than an
   * empty list, which would pass for "that LPA has none".
   */
  @Get('taskings')
  @Allow(...LIST_READERS)
  async list(@Query() query: TaskingListQuery, @CurrentPrincipal() principal: Principal) {
    const actor = actorFor(principal, LIST_READERS);
    const lpa = actor.role === 'lpa' ? ownLpa(actor, query.lpa) : query.lpa;
    await this.readYourWrites(query);
    const filters = {
      lpa,
      status: query.status,
      source: query.source,
      sourceKind: query.sourceKind,
      escalated: query.escalated === undefined ? undefined : query.escalated === 'true',
      after: query.after,
      limit: query.limit,
    };
    return query.asOf ? this.readModel.taskingsAsOf(query.asOf, filters) : this.readModel.listTaskings(filters);
  }

  /**
   * An LPA's open queue: delivered to it and not answered for good (delivered or acknowledged;
   * completed, declined and cancelled ones have left it), oldest delivery first; paged, the
   * cursor being the last item's place. An LPA not in the register (at `asOf`, when given) is a
   * 404; an LPA user asking for another LPA's queue gets the same 403 whether that LPA exists or
   * not.
   */
  @Get('lpas/:code/taskings')
  @Allow(...QUEUE_READERS)
  async queue(@Param('code', LpaCodePipe) code: string, @Query() query: PageQuery, @CurrentPrincipal() principal: Principal) {
    const actor = actorFor(principal, QUEUE_READERS);
    if (actor.role === 'lpa') ownLpa(actor, code);
    const register = await this.register.register({ asOf: query.asOf, fresh: query.position !== undefined });
    if (!register.lpas.some((lpa) => lpa.code === code)) {
      throw new NotFoundException(query.asOf ? `LPA ${code} was not in the register at ${query.asOf}` : `LPA ${code} is not in the register`);
    }
    await this.readYourWrites(query);
    const page = { after: query.after, limit: query.limit };
    return query.asOf ? this.readModel.lpaQueueAsOf(code, query.asOf, page) : this.readModel.lpaQueue(code, page);
  }

  @Get('lpas')
  @Allow(...ROLES)
  async lpas(@Query() query: AsOfQuery) {
    const register = await this.register.register({ asOf: query.asOf, fresh: query.position !== undefined });
    return { items: register.lpas, next: null };
  }

  private async readYourWrites(query: ReadYourWritesQuery): Promise<void> {
    if (query.position !== undefined) await this.readModel.waitForPosition(BigInt(query.position));
  }
}

/** An LPA user's own LPA, which `asked` (an LPA named in the request), if given, must be. */
function ownLpa(actor: Actor, asked: string | undefined): string {
  if (actor.lpa === undefined || (asked !== undefined && asked !== actor.lpa)) {
    throw new AccessDeniedError("an LPA user reads its own LPA's taskings only");
  }
  return actor.lpa;
}
