import { Inject, Injectable } from '@nestjs/common';
import {
  inspectionDecider,
  InspectionAlreadyRegisteredError,
  type InspectionRegistered,
  recommendationDecider,
  type RecommendationCommand,
  type RecommendationState,
  registerRecommendationsFor,
  type RegisterInspection,
} from '@app/domain';
import { AggregateCache, deterministicId, EVENT_STORE, type EventStore, handleCommand } from '@app/event-store';
import { type CommandAnswer, commandAnswer, toCommandAnswer } from '@app/http';
import { inspectionStream, recommendationStream } from '@app/read-model';
import { type CommandRequest, commandContext, createdId } from '../commands/command-call';


/** Commands without the request's envelope: the service adds actor and instant. */
type Body<Command> = Command extends unknown ? Omit<Command, 'actor' | 'now' | 'recommendationId'> : never;

/**
 * The write side of inspections and recommendations: turns a request into a domain command, runs
 * it through the event log, and answers with where it landed.
 */
@Injectable()
export class RecommendationCommands {
  /** Folded recommendations, so that a command reads only what was appended since the last. */
  private readonly recommendations = new AggregateCache<RecommendationState>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Registers the inspection, then opens one stream per recommendation: separate appends. Each
   * recommendation's command id derives from the inspection's event, so whichever request opens
   * them, each is opened once; and the same registration sent again (a retry after a failure
   * between the two steps, with or without an Idempotency-Key) completes what is missing and
   * answers as the first time. Another registration under the same id is refused (409).
   */
  async registerInspection(
    body: Omit<RegisterInspection, 'type' | 'actor' | 'now'>,
    request: CommandRequest,
  ): Promise<CommandAnswer & { recommendations: { id: string; number: number; dueOn: string }[] }> {
    const metadata = { actor: request.actor, now: request.now };
    const streamId = inspectionStream(body.id);
    try {
      await handleCommand(this.store, {
        streamId,
        decider: inspectionDecider,
        command: { type: 'RegisterInspection', ...metadata, ...body },
        // No expected revision of our own: a second registration is the domain's to refuse, by
        // the rule it breaks, not a write conflict to retry.
        context: commandContext(request),
      });
    } catch (error) {
      if (!(error instanceof InspectionAlreadyRegisteredError)) throw error;
    }
    const [registered] = await this.store.readStream(streamId, { maxCount: 1 });
    if (registered?.type !== 'InspectionRegistered') throw new InspectionAlreadyRegisteredError(body.id);
    const data = registered.data as unknown as InspectionRegistered['data'];
    if (!sameRegistration(data, body)) throw new InspectionAlreadyRegisteredError(body.id);

    let position = registered.position;
    for (const command of registerRecommendationsFor(data, metadata)) {
      const result = await handleCommand(this.store, {
        streamId: recommendationStream(command.id),
        decider: recommendationDecider,
        command,
        context: { ...commandContext(request), commandId: deterministicId(`${registered.id}/${command.id}`), repeatable: true },
      });
      if (result.position !== undefined && result.position > position) position = result.position;
    }
    return {
      ...toCommandAnswer(data.id, registered.revision, position),
      recommendations: data.recommendations.map(({ id, number, dueOn }) => ({ id, number, dueOn })),
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
      context: commandContext(request),
      expectedRevision,
      cache: this.recommendations,
    });
    return commandAnswer(this.store, recommendationId, result);
  }

  /**
   * An action's id: derived from the command id when the request may be repeated (it carries an
   * Idempotency-Key), so that a repeat plans the same action, not a second one; else random.
   */
  actionIdFor(commandId: string, repeatable: boolean): string {
    return createdId({ commandId, repeatable }, 'action');
  }
}

/** Whether a registration request says what the registered inspection says. */
function sameRegistration(registered: InspectionRegistered['data'], body: Omit<RegisterInspection, 'type' | 'actor' | 'now'>): boolean {
  const terms = (r: { number: number; text: string; addressee: string; area: string; timescale: string }) =>
    [r.number, r.text, r.addressee, r.area, r.timescale].join('\u0001');
  return (
    registered.id === body.id &&
    registered.title === body.title &&
    registered.inspectorate === body.inspectorate &&
    registered.publishedOn === body.publishedOn &&
    registered.recommendations.length === body.recommendations.length &&
    registered.recommendations.every((r, i) => terms(r) === terms(body.recommendations[i]!))
  );
}
