/**
 * Writes governance history into a real event store the way the command side does: each command
 * decided by the domain's decider through `handleCommand`, on the streams `inspection-<id>` and
 * `recommendation-<id>`. Test code only.
 */
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type ClosureDecision,
  type CommandMetadata,
  type InspectionRegistered,
  type ProgressStatus,
  type RecommendationCommand,
  type RecommendationTerms,
  inspectionDecider,
  recommendationDecider,
  registerRecommendationsFor,
} from '@app/domain';
import { PUBLISHED_ON, STOLEN_FREEDOM_RECOMMENDATIONS, boardChair, strategicLead } from '@app/domain/testing/stolen-freedom';
import { type CommandContext, type EventStore, handleCommand } from '@app/event-store';
import { inspectionStream, recommendationStream } from '../streams';

export interface Written {
  readonly position: bigint;
  readonly revision: number;
}

export class Governance {
  constructor(
    private readonly store: EventStore,
    /** The instant commands happen at (the domain's clock); the machine's by default. */
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Registers the inspection, then one recommendation stream per entry, as POST /api/inspections does. */
  async registerInspection(
    id: string,
    recommendations: readonly RecommendationTerms[] = STOLEN_FREEDOM_RECOMMENDATIONS,
    publishedOn = PUBLISHED_ON,
  ): Promise<Written & { readonly recommendationIds: readonly string[] }> {
    const context = this.context(strategicLead);
    const metadata: CommandMetadata = { actor: strategicLead, now: context.now };
    const inspection = await handleCommand(this.store, {
      streamId: inspectionStream(id),
      decider: inspectionDecider,
      command: {
        type: 'RegisterInspection',
        ...metadata,
        id,
        title: 'Stolen freedom: the policing response to modern slavery and human trafficking',
        inspectorate: 'HMICFRS',
        publishedOn,
        recommendations,
      },
      context,
    });
    const registered = inspection.events[0] as InspectionRegistered;
    let last: Written = { position: inspection.position!, revision: Number(inspection.revision) };
    for (const command of registerRecommendationsFor(registered.data, metadata)) {
      last = await this.recommendation(command.id, command, { ...context, commandId: randomUUID() });
    }
    return { ...last, recommendationIds: registered.data.recommendations.map((r) => r.id) };
  }

  assign(id: string, ownerId = 'u-det-supt', ownerName = 'Det Supt (strategic lead)'): Promise<Written> {
    return this.send(id, strategicLead, (meta) => ({ type: 'AssignRecommendation', ...meta, recommendationId: id, ownerId, ownerName }));
  }

  planAction(id: string, actionId: string, dueOn: string, lpa?: string): Promise<Written> {
    return this.send(id, strategicLead, (meta) => ({
      type: 'PlanAction',
      ...meta,
      recommendationId: id,
      actionId,
      description: `Action ${actionId}`,
      ownerId: 'u-det-insp',
      dueOn,
      ...(lpa === undefined ? {} : { lpa }),
      activeLpas: lpa === undefined ? [] : [lpa],
    }));
  }

  progress(id: string, actionId: string, status: ProgressStatus): Promise<Written> {
    return this.send(id, strategicLead, (meta) => ({ type: 'RecordActionProgress', ...meta, recommendationId: id, actionId, status }));
  }

  extend(id: string, dueOn: string): Promise<Written> {
    return this.send(id, strategicLead, (meta) => ({
      type: 'ExtendDueDate',
      ...meta,
      recommendationId: id,
      dueOn,
      reason: 'Partner agencies need longer',
    }));
  }

  proposeClosure(id: string): Promise<Written> {
    return this.send(id, strategicLead, (meta) => ({
      type: 'ProposeClosure',
      ...meta,
      recommendationId: id,
      evidence: 'Information-sharing agreements signed',
    }));
  }

  decideClosure(id: string, decision: ClosureDecision): Promise<Written> {
    return this.send(id, boardChair, (meta) => ({
      type: 'DecideClosure',
      ...meta,
      recommendationId: id,
      decision,
      reason: decision === 'approve' ? 'Evidence accepted' : 'Evidence incomplete',
    }));
  }

  reopen(id: string): Promise<Written> {
    return this.send(id, boardChair, (meta) => ({ type: 'ReopenRecommendation', ...meta, recommendationId: id, reason: 'New HMICFRS findings' }));
  }

  private send(id: string, actor: Actor, command: (meta: CommandMetadata) => RecommendationCommand): Promise<Written> {
    const context = this.context(actor);
    return this.recommendation(id, command({ actor, now: context.now }), context);
  }

  private async recommendation(id: string, command: RecommendationCommand, context: CommandContext): Promise<Written> {
    const result = await handleCommand(this.store, {
      streamId: recommendationStream(id),
      decider: recommendationDecider,
      command,
      context,
    });
    if (result.position === undefined) throw new Error(`${command.type} on ${id} appended nothing`);
    return { position: result.position, revision: Number(result.revision) };
  }

  private context(actor: Actor): CommandContext {
    return { commandId: randomUUID(), actor, correlationId: randomUUID(), now: this.now() };
  }
}

/**
 * A realistic stretch of the Stolen Freedom response: the inspection and its eleven
 * recommendations, the seven addressed to forces assigned, actions planned and progressed, a due
 * date extended, closures proposed, rejected, approved, and one reopened. Every recommendation
 * event type occurs. Returns the position of the last event.
 */
export async function playStolenFreedom(governance: Governance, inspectionId = 'stolen-freedom'): Promise<bigint> {
  const { recommendationIds } = await governance.registerInspection(inspectionId);
  const forces = STOLEN_FREEDOM_RECOMMENDATIONS.filter((r) => r.addressee === 'forces').map((r) => `${inspectionId}-${r.number}`);
  expectAll(recommendationIds, forces);
  let last = 0n;
  const track = (written: Written): void => {
    last = written.position;
  };
  for (const [index, id] of forces.entries()) {
    track(await governance.assign(id, index % 2 === 0 ? 'u-det-supt' : 'u-det-insp', index % 2 === 0 ? 'Det Supt' : 'DI'));
    track(await governance.planAction(id, `${id}-a1`, '2018-01-31', 'north-worcestershire'));
    track(await governance.planAction(id, `${id}-a2`, '2018-06-30'));
  }
  const [four, five, six, seven, eight] = forces.slice(1) as [string, string, string, string, string];
  track(await governance.progress(four, `${four}-a1`, 'in-progress'));
  track(await governance.progress(four, `${four}-a2`, 'blocked'));
  track(await governance.extend(four, '2018-09-30'));
  track(await governance.progress(five, `${five}-a1`, 'complete'));
  track(await governance.progress(five, `${five}-a2`, 'complete'));
  track(await governance.proposeClosure(five));
  track(await governance.decideClosure(five, 'approve'));
  track(await governance.progress(six, `${six}-a1`, 'complete'));
  track(await governance.proposeClosure(six));
  track(await governance.decideClosure(six, 'reject'));
  track(await governance.proposeClosure(seven));
  track(await governance.decideClosure(seven, 'approve'));
  track(await governance.reopen(seven));
  track(await governance.assign(eight, 'u-ds-msht', 'DS (MSHT co-ordinator)'));
  return last;
}

function expectAll(ids: readonly string[], subset: readonly string[]): void {
  const missing = subset.filter((id) => !ids.includes(id));
  if (missing.length > 0) throw new Error(`not registered: ${missing.join(', ')}`);
}
