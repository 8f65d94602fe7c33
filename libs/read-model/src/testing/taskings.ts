/**
 * Writes tasking and audit finding history into a real event store the way the command side
 * does: each command decided by the domain's decider through `handleCommand`, on the streams
 * `tasking-<id>` and `finding-<id>`. Test code only.
 */
import { randomUUID } from 'node:crypto';
import {
  type Actor,
  type AuditFindingCommand,
  type AuditFindingSeverity,
  type TaskingCommand,
  type TaskingPriority,
  type TaskingSource,
  SYSTEM_ROLE,
  WEST_MERCIA_2017_LPAS,
  auditFindingDecider,
  taskingDecider,
} from '@app/domain';
import { type CommandContext, type CommandResult, type EventStore, handleCommand } from '@app/event-store';
import { findingStream, taskingStream } from '../streams';
import type { Written } from './governance';

const LEAD: Actor = { id: 'u-det-supt', name: 'Det Supt (strategic lead)', role: 'strategic-lead' };
const REGISTRAR: Actor = { id: 'u-fcr', name: 'Force Crime Registrar', role: 'registrar' };
const SYSTEM: Actor = { id: 'worker', name: 'Worker', role: SYSTEM_ROLE };
const lpaUser = (lpa: string): Actor => ({ id: `u-${lpa}`, name: `${lpa} LPA`, role: 'lpa', lpa });
const ACTIVE_LPAS = WEST_MERCIA_2017_LPAS.map((lpa) => lpa.code);

export interface IssueTerms {
  readonly priority?: TaskingPriority;
  readonly source?: TaskingSource;
}

export class Taskings {
  constructor(
    private readonly store: EventStore,
    /** The instant commands happen at (the domain's clock); the machine's by default. */
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  issue(id: string, lpa: string, terms: IssueTerms = {}): Promise<Written> {
    return this.tasking(id, LEAD, (meta) => ({
      type: 'IssueTasking',
      ...meta,
      taskingId: id,
      lpa,
      title: `Tasking ${id}`,
      instructions: 'Report what is known locally.',
      priority: terms.priority ?? 'routine',
      dueAt: '2099-01-31T17:00:00Z',
      ...(terms.source === undefined ? {} : { source: terms.source }),
      activeLpas: ACTIVE_LPAS,
    }));
  }

  deliver(id: string): Promise<Written> {
    return this.tasking(id, SYSTEM, (meta) => ({ type: 'RecordTaskingDelivery', ...meta, taskingId: id }));
  }

  acknowledge(id: string, lpa: string): Promise<Written> {
    return this.tasking(id, lpaUser(lpa), (meta) => ({ type: 'AcknowledgeTasking', ...meta, taskingId: id }));
  }

  complete(id: string, lpa: string): Promise<Written> {
    return this.tasking(id, lpaUser(lpa), (meta) => ({ type: 'CompleteTasking', ...meta, taskingId: id, outcome: 'Done.' }));
  }

  decline(id: string, lpa: string): Promise<Written> {
    return this.tasking(id, lpaUser(lpa), (meta) => ({ type: 'DeclineTasking', ...meta, taskingId: id, reason: 'Not ours.' }));
  }

  cancel(id: string): Promise<Written> {
    return this.tasking(id, LEAD, (meta) => ({ type: 'CancelTasking', ...meta, taskingId: id, reason: 'Superseded.' }));
  }

  /** Escalates it at its deadline, which is the command's own instant. */
  escalate(id: string): Promise<Written> {
    return this.tasking(id, SYSTEM, (meta) => ({ type: 'EscalateTasking', ...meta, taskingId: id, deadline: meta.now }));
  }

  recordFinding(id: string, lpa: string, severity: AuditFindingSeverity = 'high'): Promise<Written> {
    return this.finding(id, REGISTRAR, (meta) => ({
      type: 'RecordAuditFinding',
      ...meta,
      findingId: id,
      auditId: 'modern-slavery-thematic-2017',
      lpa,
      category: 'nrm-not-crimed',
      severity,
      finding: 'An NRM referral was made but no crime was recorded.',
      recordRef: '22/12345/17',
      correctionDueAt: '2099-01-31T17:00:00Z',
      activeLpas: ACTIVE_LPAS,
    }));
  }

  /** Its correction done by the tasking `taskingId` (round 0), as the process manager marks it. */
  markCorrected(id: string, taskingId: string): Promise<Written> {
    return this.finding(id, SYSTEM, (meta) => ({ type: 'MarkCorrectionDone', ...meta, findingId: id, taskingId, round: 0 }));
  }

  verify(id: string): Promise<Written> {
    return this.finding(id, REGISTRAR, (meta) => ({ type: 'VerifyCorrection', ...meta, findingId: id, outcome: 'verified' }));
  }

  private async tasking(id: string, actor: Actor, command: (meta: { actor: Actor; now: string }) => TaskingCommand): Promise<Written> {
    const context = this.context(actor);
    const result = await handleCommand(this.store, {
      streamId: taskingStream(id),
      decider: taskingDecider,
      command: command({ actor, now: context.now }),
      context,
    });
    return written(result, id);
  }

  private async finding(id: string, actor: Actor, command: (meta: { actor: Actor; now: string }) => AuditFindingCommand): Promise<Written> {
    const context = this.context(actor);
    const result = await handleCommand(this.store, {
      streamId: findingStream(id),
      decider: auditFindingDecider,
      command: command({ actor, now: context.now }),
      context,
    });
    return written(result, id);
  }

  private context(actor: Actor): CommandContext {
    return { commandId: randomUUID(), actor, correlationId: randomUUID(), now: this.now() };
  }
}

function written(result: CommandResult<unknown, unknown>, id: string): Written {
  if (result.events.length === 0 || result.position === undefined) throw new Error(`the command on ${id} appended nothing`);
  return { position: result.position, revision: Number(result.revision) };
}
