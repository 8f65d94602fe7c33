/**
 * The policies of tasking (issue: process managers): what the force's rules make follow from an
 * event, as the commands that carry it out. Pure: the process managers that run them read the
 * global log, keep their own checkpoints and send these commands through the command handler.
 *
 * - A refreshed intelligence requirement tasks each LPA it names to fill it (seed ¶18: "refreshed
 *   (July 2017) and tasking has been requested of each LPA").
 * - A recorded audit finding tasks its LPA's CDI SPOC with the correction (seed ¶21); a rejected
 *   correction tasks the LPA again.
 * - A completed correction tasking marks its finding corrected, for the registrar to verify.
 *
 * Every command's ids derive from the event that caused it (`idFor`, given a name made of the
 * event's id), so that a process manager that runs an event again, after a crash or in a replay,
 * sends the very same commands and the event store recognises their events as repeats. A new
 * tasking binds to an LPA of the register on the event's date (`activeLpas`, which the process
 * manager reads): a correction re-tasked after its LPA ended is refused, not sent to no one.
 */
import { type Actor, SYSTEM_ROLE } from '../actor';
import type { AuditFindingCorrectionRejected, AuditFindingRecorded } from '../audit-finding/audit-finding.events';
import type { MarkCorrectionDone } from '../audit-finding/audit-finding.commands';
import type { AuditFindingSeverity } from '../audit-finding/audit-finding.values';
import type { IntelligenceRequirementRefreshed } from '../intelligence-requirement/intelligence-requirement.events';
import type { RequirementRag } from '../intelligence-requirement/intelligence-requirement.values';
import type { IssueTasking } from '../tasking/tasking.commands';
import type { TaskingCompleted } from '../tasking/tasking.events';
import type { TaskingPriority } from '../tasking/tasking.values';

/** An event as it stands in the log, with what a policy reads of its metadata. */
export interface Caused<Event> {
  /** The event's id in the log: the commands' ids derive from it. */
  readonly eventId: string;
  readonly event: Event;
  /** Who did what caused it: the commands act in their name (the history says who set them off). */
  readonly actor: Actor;
  /** When it happened: the commands' instant. */
  readonly occurredAt: string;
}

/** Derives an id from a name, the same for the same name (the apps pass a name-based UUID). */
export type IdFor = (name: string) => string;

/** The process managers' own actor, where the work is the system's (marking a correction done). */
export const PROCESS_MANAGER_ACTOR: Actor = { id: 'process-manager', name: 'Tasking process manager', role: SYSTEM_ROLE };

/** A requirement rated red is pressing: its taskings are high priority; the others routine. */
const PRIORITY_FOR_RAG: Record<RequirementRag, TaskingPriority> = { red: 'high', amber: 'routine', green: 'routine' };

/** A high-severity finding is corrected at high priority; medium and low, routinely. */
const PRIORITY_FOR_SEVERITY: Record<AuditFindingSeverity, TaskingPriority> = { high: 'high', medium: 'routine', low: 'routine' };

/** One tasking per LPA the refresh names, due when the refresh says. */
export function taskingsForRefreshedRequirement(
  cause: Caused<IntelligenceRequirementRefreshed>,
  idFor: IdFor,
  activeLpas: readonly string[],
): IssueTasking[] {
  const { requirementId, version, title, questions, rationale, rag, lpas, dueAt } = cause.event.data;
  const instructions = [
    `Fill version ${version} of the intelligence requirement "${title}" (rated ${rag}: ${rationale}).`,
    ...questions.map((question, i) => `${i + 1}. ${question}`),
  ].join('\n');
  return lpas.map((lpa) => ({
    type: 'IssueTasking',
    actor: cause.actor,
    now: cause.occurredAt,
    taskingId: idFor(`${cause.eventId}/tasking/${lpa}`),
    lpa,
    title: `Intelligence requirement: ${title} (version ${version})`,
    instructions,
    priority: PRIORITY_FOR_RAG[rag],
    dueAt,
    source: { kind: 'intelligence-requirement', id: requirementId, version },
    activeLpas,
  }));
}

/** The correction of a recorded finding, or of one whose correction was rejected, to its LPA. */
export function correctionTasking(
  cause: Caused<AuditFindingRecorded | AuditFindingCorrectionRejected>,
  idFor: IdFor,
  activeLpas: readonly string[],
): IssueTasking {
  const { findingId, auditId, lpa, category, severity, finding, recordRef, correctionDueAt } = cause.event.data;
  const rejection = cause.event.type === 'AuditFindingCorrectionRejected' ? cause.event.data : undefined;
  const again = rejection !== undefined;
  const note = rejection?.note;
  const instructions = [
    `${again ? 'The correction was not accepted: correct it again. ' : ''}Audit ${auditId} found (${category}, ${severity} severity): ${finding}`,
    ...(recordRef === undefined ? [] : [`Record: ${recordRef}.`]),
    ...(note === undefined ? [] : [`The registrar: ${note}`]),
  ].join('\n');
  return {
    type: 'IssueTasking',
    actor: cause.actor,
    now: cause.occurredAt,
    taskingId: idFor(`${cause.eventId}/correction`),
    lpa,
    title: `${again ? 'Correct again' : 'Correct'}: crime recording audit finding (${category})`,
    instructions,
    priority: PRIORITY_FOR_SEVERITY[severity],
    dueAt: correctionDueAt,
    // The round of correction: 0 at first, then the number of rejections so far.
    source: { kind: 'audit-finding', id: findingId, version: rejection?.rejections ?? 0 },
    activeLpas,
  };
}

/** A correction tasking completed: its finding is corrected. Other taskings set nothing off. */
export function correctionDone(cause: Caused<TaskingCompleted>): MarkCorrectionDone | undefined {
  const { source, taskingId } = cause.event.data;
  if (source?.kind !== 'audit-finding') return undefined;
  return { type: 'MarkCorrectionDone', actor: PROCESS_MANAGER_ACTOR, now: cause.occurredAt, findingId: source.id, taskingId, round: source.version ?? 0 };
}
