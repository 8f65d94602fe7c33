/**
 * The process managers of tasking (issue 4, point 2): the domain's policies, run from the global
 * log. Each event that sets something off becomes commands sent through the command handler, with
 * ids derived from the event (`idFor`, and the commands' own ids), so that running the event again
 * after a crash, or from checkpoint 0, sends the very same commands and appends nothing new.
 *
 * - IntelligenceRequirementRefreshed: one tasking per LPA the refresh names.
 * - AuditFindingRecorded, AuditFindingCorrectionRejected: a correction tasking to the finding's LPA.
 * - TaskingCompleted of a correction tasking: its finding marked corrected.
 *
 * A command the domain refuses (an LPA that ended before a rejected correction was re-tasked, a
 * finding closed meanwhile) is a decision, not a failure: it is logged and the log goes on. Any
 * other error (the event store away) is thrown, and the follower retries the batch (whose commands
 * already sent append nothing again).
 */
import {
  type Caused,
  type CommandMetadata,
  type Decider,
  type DomainEvent,
  DomainError,
  LPA_REGISTER_STREAM,
  activeLpasOn,
  auditFindingDecider,
  correctionDone,
  correctionTasking,
  dateOf,
  lpaRegisterDecider,
  taskingDecider,
  taskingsForRefreshedRequirement,
  type AuditFindingCorrectionRejected,
  type AuditFindingRecorded,
  type IntelligenceRequirementRefreshed,
  type IssueTasking,
  type TaskingCompleted,
} from '@app/domain';
import { type EventStore, type RecordedEvent, deterministicId, handleCommand, readState } from '@app/event-store';
import { findingStream, taskingStream } from '@app/read-model';
import type { FollowerLogger, LogHandler } from './log-follower';

export const PROCESS_MANAGERS = 'process-managers';

const CAUSES = new Set(['IntelligenceRequirementRefreshed', 'AuditFindingRecorded', 'AuditFindingCorrectionRejected', 'TaskingCompleted']);

export class TaskingProcessManagers implements LogHandler {
  readonly name = PROCESS_MANAGERS;

  constructor(
    private readonly store: EventStore,
    private readonly logger: FollowerLogger,
  ) {}

  wants(event: RecordedEvent): boolean {
    return CAUSES.has(event.type);
  }

  async handle(events: readonly RecordedEvent[]): Promise<void> {
    for (const event of events) await this.handleOne(event);
  }

  private async handleOne(event: RecordedEvent): Promise<void> {
    switch (event.type) {
      case 'IntelligenceRequirementRefreshed': {
        const cause = causeOf<IntelligenceRequirementRefreshed>(event);
        const commands = taskingsForRefreshedRequirement(cause, deterministicId, await this.activeLpas(event));
        for (const command of commands) await this.issue(event, command);
        return;
      }
      case 'AuditFindingRecorded':
      case 'AuditFindingCorrectionRejected': {
        const cause = causeOf<AuditFindingRecorded | AuditFindingCorrectionRejected>(event);
        await this.issue(event, correctionTasking(cause, deterministicId, await this.activeLpas(event)));
        return;
      }
      case 'TaskingCompleted': {
        const command = correctionDone(causeOf<TaskingCompleted>(event));
        if (command) await this.send(event, findingStream(command.findingId), auditFindingDecider, command, 'corrected');
        return;
      }
    }
  }

  private issue(cause: RecordedEvent, command: IssueTasking): Promise<void> {
    return this.send(cause, taskingStream(command.taskingId), taskingDecider, command, `tasking/${command.lpa}`);
  }

  /** Sends one command the event calls for, as a repeat-safe command whose id derives from the event. */
  private async send<State, Command, Event extends DomainEvent>(
    cause: RecordedEvent,
    streamId: string,
    decider: Decider<State, Command, Event>,
    command: Command & CommandMetadata,
    name: string,
  ): Promise<void> {
    try {
      await handleCommand(this.store, {
        streamId,
        decider,
        command,
        context: {
          commandId: deterministicId(`${cause.id}/process-manager/${name}`),
          actor: command.actor,
          correlationId: cause.metadata.correlationId,
          causationId: cause.id,
          now: command.now,
          repeatable: true,
        },
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`${cause.type} at position ${cause.position} set off a command that was refused (${streamId}): ${error.message}`);
    }
  }

  /** The LPAs active on the event's date, in the register as the log had it when the event was recorded. */
  private async activeLpas(event: RecordedEvent): Promise<string[]> {
    const { state } = await readState(this.store, LPA_REGISTER_STREAM, lpaRegisterDecider, event.recordedAt.toISOString());
    return activeLpasOn(state, dateOf(event.metadata.occurredAt));
  }
}

function causeOf<Event extends DomainEvent>(event: RecordedEvent): Caused<Event> {
  return {
    eventId: event.id,
    event: { type: event.type, data: event.data } as unknown as Event,
    actor: event.metadata.actor as Caused<Event>['actor'],
    occurredAt: event.metadata.occurredAt,
  };
}
