import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  inspectionDecider,
  recommendationDecider,
  type RecommendationCommand,
  registerRecommendationsFor,
  type RegisterInspection,
} from '@app/domain';
import { deterministicId, EVENT_STORE, type EventStore, handleCommand } from '@app/event-store';
import { type CommandAnswer, commandAnswer, toCommandAnswer } from '@app/http';
import { inspectionStream, recommendationStream } from '@app/read-model';

/** Who asks and as part of what; `commandId` makes a retried request append nothing new. */
export interface CommandRequest {
  readonly actor: Actor;
  /** Derived from the Idempotency-Key when there is one, else fresh per request. */
  readonly commandId: string;
  readonly correlationId: string;
  /** The request's instant (ISO 8601, Z): the domain's only clock. */
  readonly now: string;
}


/** Commands without the request's envelope: the service adds actor and instant. */
type Body<Command> = Command extends unknown ? Omit<Command, 'actor' | 'now' | 'recommendationId'> : never;

/**
 * The write side of inspections and recommendations: turns a request into a domain command, runs
 * it through the event log, and answers with where it landed.
 */
@Injectable()
export class RecommendationCommands {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Registers the inspection, then opens one stream per recommendation. The two steps are
   * separate appends; both are idempotent under the same commandId, so a retry of a request
   * that failed between them completes it.
   */
  async registerInspection(
    body: Omit<RegisterInspection, 'type' | 'actor' | 'now'>,
    request: CommandRequest,
  ): Promise<CommandAnswer & { recommendations: { id: string; number: number; dueOn: string }[] }> {
    const metadata = { actor: request.actor, now: request.now };
    const registered = await handleCommand(this.store, {
      streamId: inspectionStream(body.id),
      decider: inspectionDecider,
      command: { type: 'RegisterInspection', ...metadata, ...body },
      // No expected revision of our own: a second registration is the domain's to refuse, by
      // the rule it breaks, not a write conflict to retry.
      context: this.context(request),
    });
    const event = registered.events[0];
    if (!event || registered.position === undefined) throw new Error('RegisterInspection decided no event');

    let position = registered.position;
    for (const command of registerRecommendationsFor(event.data, metadata)) {
      const result = await handleCommand(this.store, {
        streamId: recommendationStream(command.id),
        decider: recommendationDecider,
        command,
        context: { ...this.context(request), commandId: deterministicId(`${request.commandId}/${command.id}`) },
      });
      if (result.position !== undefined && result.position > position) position = result.position;
    }
    return {
      ...toCommandAnswer(event.data.id, registered.revision as number, position),
      recommendations: event.data.recommendations.map(({ id, number, dueOn }) => ({ id, number, dueOn })),
    };
  }

  /** Any command on one recommendation; `expectedRevision` is the caller's If-Match, if any. */
  async execute(
    recommendationId: string,
    command: Body<Exclude<RecommendationCommand, { type: 'RegisterRecommendation' }>>,
    request: CommandRequest,
    expectedRevision?: number,
  ): Promise<CommandAnswer> {
    const result = await handleCommand(this.store, {
      streamId: recommendationStream(recommendationId),
      decider: recommendationDecider,
      command: { ...command, recommendationId, actor: request.actor, now: request.now },
      context: this.context(request),
      expectedRevision,
    });
    return commandAnswer(this.store, recommendationId, result);
  }

  /** An action's id, derived from the request: a retry plans the same action, not a second one. */
  actionIdFor(commandId: string): string {
    return deterministicId(`${commandId}/action`);
  }

  private context(request: CommandRequest) {
    return {
      commandId: request.commandId,
      actor: request.actor,
      correlationId: request.correlationId,
      now: request.now,
    };
  }
}
