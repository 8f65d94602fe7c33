import { Inject, Injectable } from '@nestjs/common';
import {
  type AcknowledgeTasking,
  type Actor,
  type CancelTasking,
  type CompleteTasking,
  checkLpas,
  type DeclineTasking,
  refuseInvalid,
  type IssueTasking,
  TaskingNotFoundError,
  type TaskingState,
  taskingDecider,
} from '@app/domain';
import {
  AggregateCache,
  type CommandResult,
  EVENT_STORE,
  type EventStore,
  WrongExpectedRevisionError,
  deterministicId,
  handleCommand,
  readState,
} from '@app/event-store';
import { type CommandAnswer, commandAnswer } from '@app/http';
import { type TaskingView, taskingStream, taskingView } from '@app/read-model';
import { type CommandRequest, commandContext, createdId } from '../commands/command-call';
import { LpaRegisterService } from './lpa-register.service';

/** What a tasking request asks for, besides the LPAs: the terms every LPA's tasking shares. */
export type TaskingTerms = Pick<IssueTasking, 'title' | 'instructions' | 'priority' | 'dueAt' | 'source'>;

type OnTasking = AcknowledgeTasking | CompleteTasking | DeclineTasking | CancelTasking;
type Body<Command> = Command extends unknown ? Omit<Command, 'actor' | 'now' | 'taskingId'> : never;

/**
 * The write side of taskings: issuing one tasking per LPA, and the LPA's and the issuer's
 * commands on one. An LPA user's reach ends at its own LPA's taskings, on every answer: the domain
 * answers another's as one that does not exist, and so does this service where the log would
 * otherwise speak first (a stale If-Match is checked before the domain decides).
 */
@Injectable()
export class TaskingCommands {
  private readonly taskings = new AggregateCache<TaskingState>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly register: LpaRegisterService,
  ) {}

  /**
   * One tasking per LPA, each its own stream: separate appends, sent together (they share a
   * commit). Each tasking's id derives from the request's command id and its LPA, so that the
   * same request sent again with its Idempotency-Key (after a failure between two of them) issues
   * what is missing and answers as the first time; without a key, each request issues new ones.
   * Every LPA is checked against the register before any is tasked, so that one not in it issues
   * nothing; on a repeat, an LPA already tasked by the first run passes whatever the register says
   * now.
   */
  async issue(
    lpas: readonly string[],
    terms: TaskingTerms,
    request: CommandRequest,
  ): Promise<CommandAnswer & { taskings: { id: string; lpa: string }[] }> {
    const repeatable = request.repeatable ?? true;
    const planned = lpas.map((lpa) => ({ lpa, id: createdId(request, `tasking/${lpa}`) }));
    const tasked = repeatable ? await this.alreadyIssued(planned) : [];
    const activeLpas = [...(await this.register.activeOn(request.now, lpas)), ...tasked];
    refuseInvalid('IssueTasking', checkLpas(lpas, activeLpas, request.now));

    const settled = await Promise.allSettled(
      planned.map(({ lpa, id }) =>
        handleCommand(this.store, {
          streamId: taskingStream(id),
          decider: taskingDecider,
          command: { type: 'IssueTasking', actor: request.actor, now: request.now, taskingId: id, lpa, ...terms, activeLpas },
          context: { ...commandContext(request), ...(repeatable ? { commandId: deterministicId(`${request.commandId}/${lpa}`) } : {}) },
          cache: this.taskings,
        }),
      ),
    );
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.map((outcome) => (outcome as PromiseFulfilledResult<CommandResult<TaskingState, unknown>>).value);
    const position = results.reduce((latest, result) => (result.position !== undefined && result.position > latest ? result.position : latest), 0n);
    const taskings = planned.map(({ id, lpa }) => ({ id, lpa }));
    return commandAnswer(this.store, planned[0]!.id, { ...results[0]!, position }, { taskings });
  }

  /** The LPAs of `planned` whose tasking stands in the log already (a first run's, for a repeat). */
  private async alreadyIssued(planned: readonly { lpa: string; id: string }[]): Promise<string[]> {
    const found = await Promise.all(planned.map(async ({ lpa, id }) => ((await this.store.readStream(taskingStream(id), { maxCount: 1 })).length > 0 ? [lpa] : [])));
    return found.flat();
  }

  /** A command on one tasking; `expectedRevision` is the caller's If-Match, if any. */
  async execute(taskingId: string, command: Body<OnTasking>, request: CommandRequest, expectedRevision?: number): Promise<CommandAnswer> {
    const streamId = taskingStream(taskingId);
    try {
      const result = await handleCommand(this.store, {
        streamId,
        decider: taskingDecider,
        command: { ...command, taskingId, actor: request.actor, now: request.now },
        context: commandContext(request),
        expectedRevision,
        cache: this.taskings,
      });
      return await commandAnswer(this.store, taskingId, result);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && request.actor.role === 'lpa' && !(await this.ownedBy(streamId, request.actor.lpa))) {
        // The revision of another LPA's tasking (or of none) is not this LPA's to learn.
        throw new TaskingNotFoundError(taskingId);
      }
      throw error;
    }
  }

  private async ownedBy(streamId: string, lpa: string | undefined): Promise<boolean> {
    const { state } = await readState(this.store, streamId, taskingDecider);
    return state.issued && state.lpa === lpa;
  }

  /**
   * A tasking as the log has it (or had it at `asOf`), for a caller who may know of it: to a user
   * of an LPA, another LPA's tasking is one that does not exist.
   */
  async visibleTasking(taskingId: string, actor: Actor, asOf?: string): Promise<TaskingView> {
    const { state, revision } = await readState(this.store, taskingStream(taskingId), taskingDecider, asOf);
    if (!state.issued || revision === undefined || (actor.role === 'lpa' && state.lpa !== actor.lpa)) throw new TaskingNotFoundError(taskingId);
    return taskingView(state, revision);
  }
}
