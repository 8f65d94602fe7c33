/**
 * What happens to a tasking. Every event names its tasking and its LPA, so that it reads on its
 * own in the global log and an LPA's view of history can be cut from the log by LPA. Who did it
 * and when travel as event metadata; the data repeats an instant only where a rule or the LPA's
 * queue order reads it back.
 */
import type { DomainEvent } from '../decider';
import type { TaskingPriority, TaskingSource } from './tasking.values';

export type TaskingIssued = DomainEvent<
  'TaskingIssued',
  {
    readonly taskingId: string;
    readonly lpa: string;
    readonly title: string;
    readonly instructions: string;
    readonly priority: TaskingPriority;
    readonly dueAt: string;
    readonly source: TaskingSource | null;
    /** The command's instant: escalation counts from it. */
    readonly issuedAt: string;
  }
>;

export type TaskingDelivered = DomainEvent<'TaskingDelivered', { readonly taskingId: string; readonly lpa: string; readonly deliveredAt: string }>;

export type TaskingAcknowledged = DomainEvent<'TaskingAcknowledged', { readonly taskingId: string; readonly lpa: string; readonly note?: string }>;

/** With the tasking's source: completing a correction tasking corrects its audit finding. */
export type TaskingCompleted = DomainEvent<
  'TaskingCompleted',
  {
    readonly taskingId: string;
    readonly lpa: string;
    readonly source: TaskingSource | null;
    readonly outcome: string;
    readonly refs: readonly string[];
  }
>;

/** Returned to the issuer. */
export type TaskingDeclined = DomainEvent<'TaskingDeclined', { readonly taskingId: string; readonly lpa: string; readonly reason: string }>;

export type TaskingCancelled = DomainEvent<'TaskingCancelled', { readonly taskingId: string; readonly lpa: string; readonly reason: string }>;

export type TaskingEscalated = DomainEvent<
  'TaskingEscalated',
  { readonly taskingId: string; readonly lpa: string; readonly priority: TaskingPriority; readonly deadline: string }
>;

export type TaskingEvent =
  | TaskingIssued
  | TaskingDelivered
  | TaskingAcknowledged
  | TaskingCompleted
  | TaskingDeclined
  | TaskingCancelled
  | TaskingEscalated;

export type TaskingEventType = TaskingEvent['type'];
