import type { CommandMetadata } from '../actor';
import type { TaskingPriority, TaskingSource } from './tasking.values';

/**
 * One instruction to one LPA. `taskingId` is chosen by the caller: the API derives it from the
 * request, a process manager from the event that caused it, so that a retry or a replay issues
 * nothing twice.
 */
export interface IssueTasking extends CommandMetadata {
  readonly type: 'IssueTasking';
  readonly taskingId: string;
  readonly lpa: string;
  readonly title: string;
  readonly instructions: string;
  readonly priority: TaskingPriority;
  /** When the LPA is to have done it (ISO 8601 instant). */
  readonly dueAt: string;
  readonly source?: TaskingSource;
  /**
   * The LPA codes active on the command's date, from the LPA register (the application reads
   * it): a tasking binds to an LPA that exists when it is issued. Not recorded in the event.
   */
  readonly activeLpas: readonly string[];
}

// The commands below act on an issued tasking, named by `taskingId`.

/** The worker handed the tasking to its LPA's queue consumer (the system role). */
export interface RecordTaskingDelivery extends CommandMetadata {
  readonly type: 'RecordTaskingDelivery';
  readonly taskingId: string;
}

export interface AcknowledgeTasking extends CommandMetadata {
  readonly type: 'AcknowledgeTasking';
  readonly taskingId: string;
  readonly note?: string;
}

export interface CompleteTasking extends CommandMetadata {
  readonly type: 'CompleteTasking';
  readonly taskingId: string;
  readonly outcome: string;
  /** Record references (crime numbers, URNs) the result rests on. */
  readonly refs?: readonly string[];
}

export interface DeclineTasking extends CommandMetadata {
  readonly type: 'DeclineTasking';
  readonly taskingId: string;
  readonly reason: string;
}

export interface CancelTasking extends CommandMetadata {
  readonly type: 'CancelTasking';
  readonly taskingId: string;
  readonly reason: string;
}

/**
 * The LPA has not acknowledged by `deadline` (the issue time plus its priority's time, which the
 * worker's configuration says): the system raises the escalated flag.
 */
export interface EscalateTasking extends CommandMetadata {
  readonly type: 'EscalateTasking';
  readonly taskingId: string;
  readonly deadline: string;
}

export type TaskingCommand =
  | IssueTasking
  | RecordTaskingDelivery
  | AcknowledgeTasking
  | CompleteTasking
  | DeclineTasking
  | CancelTasking
  | EscalateTasking;
