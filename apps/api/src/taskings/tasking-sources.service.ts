import { Inject, Injectable } from '@nestjs/common';
import {
  auditFindingDecider,
  type AuditFindingCommand,
  type IntelligenceRequirement,
  type IntelligenceRequirementCommand,
  type IntelligenceRequirementVersion,
  IntelligenceRequirementNotRaisedError,
  intelligenceRequirementDecider,
  intelligenceRequirementVersion,
  type RecordAuditFinding,
  type RefreshIntelligenceRequirement,
  type RaiseIntelligenceRequirement,
} from '@app/domain';
import { EVENT_STORE, type EventStore, handleCommand, readState } from '@app/event-store';
import { type CommandAnswer, commandAnswer, ProblemError } from '@app/http';
import { findingStream, requirementStream } from '@app/read-model';
import { type CommandRequest, commandContext, createdId } from '../commands/command-call';
import { LpaRegisterService } from './lpa-register.service';

type Fields<Command> = Omit<Command, 'type' | 'actor' | 'now' | 'activeLpas'>;

/** One version of a requirement as `GET /api/intelligence-requirements/:id` answers it, with the stream's revision (its ETag). */
export type RequirementView = IntelligenceRequirementVersion & {
  readonly id: string;
  readonly title: string;
  readonly priority: string;
  readonly revision: number;
};

/**
 * The write side of what taskings come from (intelligence requirements, audit findings), and the
 * reading of one requirement straight from its stream. The taskings a refresh or a finding calls
 * for are to be issued by the process managers, from the events these commands append (the
 * policies are in @app/domain; their runner is not built yet).
 */
@Injectable()
export class TaskingSources {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly register: LpaRegisterService,
  ) {}

  /**
   * Version 1. Its id is the caller's; else derived from the request's Idempotency-Key (a keyed
   * repeat raises nothing twice), else random. A repeat answers version 1 whatever came after.
   */
  async raise(body: Omit<Fields<RaiseIntelligenceRequirement>, 'requirementId'> & { id?: string }, request: CommandRequest): Promise<CommandAnswer & { version: number }> {
    const { id, ...terms } = body;
    const requirementId = id ?? createdId(request, 'requirement');
    const answer = await this.requirementCommand(requirementId, { type: 'RaiseIntelligenceRequirement', ...terms, requirementId, actor: request.actor, now: request.now }, request);
    return { ...answer, version: 1 };
  }

  /** The next version, naming the LPAs to task (checked against the register on its date). */
  async refresh(
    requirementId: string,
    body: Omit<Fields<RefreshIntelligenceRequirement>, 'requirementId'>,
    request: CommandRequest,
    expectedRevision?: number,
  ): Promise<CommandAnswer & { version: number }> {
    const activeLpas = await this.register.activeOn(request.now, body.lpas);
    const command: RefreshIntelligenceRequirement = { type: 'RefreshIntelligenceRequirement', ...body, requirementId, activeLpas, actor: request.actor, now: request.now };
    return this.requirementCommand(requirementId, command, request, expectedRevision);
  }

  /**
   * The latest version (with the current rating), or version `version` as it was made; as the log
   * stood at `asOf` when given (a requirement not raised by then is not found).
   */
  async requirement(requirementId: string, version?: number, asOf?: string): Promise<RequirementView> {
    const { state, revision } = await readState(this.store, requirementStream(requirementId), intelligenceRequirementDecider, asOf);
    if (!state.registered || revision === undefined) throw new IntelligenceRequirementNotRaisedError(requirementId);
    const made = intelligenceRequirementVersion(state, version ?? state.version);
    if (!made) throw new ProblemError(404, 'version-not-found', 'No such version', `intelligence requirement ${requirementId} has no version ${version}`);
    return view(state, version === undefined ? { ...made, rag: state.rag, rationale: state.rationale } : made, revision);
  }

  /** Its id is derived from the request (a keyed repeat records nothing twice), else random. */
  async recordFinding(body: Omit<Fields<RecordAuditFinding>, 'findingId'>, request: CommandRequest): Promise<CommandAnswer> {
    const findingId = createdId(request, 'finding');
    const activeLpas = await this.register.activeOn(request.now, [body.lpa]);
    return this.findingCommand(findingId, { type: 'RecordAuditFinding', ...body, findingId, activeLpas, actor: request.actor, now: request.now }, request);
  }

  async verifyCorrection(findingId: string, body: { outcome: 'verified' | 'rejected'; note?: string }, request: CommandRequest, expectedRevision?: number): Promise<CommandAnswer> {
    return this.findingCommand(findingId, { type: 'VerifyCorrection', ...body, findingId, actor: request.actor, now: request.now }, request, expectedRevision);
  }

  private async requirementCommand(
    requirementId: string,
    command: IntelligenceRequirementCommand,
    request: CommandRequest,
    expectedRevision?: number,
  ): Promise<CommandAnswer & { version: number }> {
    const result = await handleCommand(this.store, {
      streamId: requirementStream(requirementId),
      decider: intelligenceRequirementDecider,
      command,
      context: commandContext(request),
      expectedRevision,
    });
    return commandAnswer(this.store, requirementId, result, { version: (result.state as IntelligenceRequirement).version });
  }

  private async findingCommand(findingId: string, command: AuditFindingCommand, request: CommandRequest, expectedRevision?: number): Promise<CommandAnswer> {
    const result = await handleCommand(this.store, {
      streamId: findingStream(findingId),
      decider: auditFindingDecider,
      command,
      context: commandContext(request),
      expectedRevision,
    });
    return commandAnswer(this.store, findingId, result);
  }
}

function view(requirement: IntelligenceRequirement, version: IntelligenceRequirementVersion, revision: number): RequirementView {
  return { id: requirement.id, title: requirement.title, priority: requirement.priority, ...version, revision };
}
