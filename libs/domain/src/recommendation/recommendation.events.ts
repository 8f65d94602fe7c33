/**
 * What happens to a recommendation. Who did it and when travel as event metadata (the command
 * handler writes them); the data repeats an actor only where a rule reads it back (`proposedBy`).
 * Every event names its recommendation, so it reads on its own in the global log.
 */
import type { DomainEvent } from '../decider';
import type { IsoDate } from '../calendar';
import type { Addressee, ProgressStatus, Timescale } from './recommendation.values';

export type RecommendationRegistered = DomainEvent<
  'RecommendationRegistered',
  {
    readonly id: string;
    readonly inspectionId: string;
    readonly number: number;
    readonly text: string;
    readonly addressee: Addressee;
    readonly area: string;
    readonly timescale: Timescale;
    readonly publishedOn: IsoDate;
    /** Derived from `publishedOn` and `timescale` when registered, and kept as the original. */
    readonly dueOn: IsoDate;
  }
>;

export type RecommendationAssigned = DomainEvent<
  'RecommendationAssigned',
  {
    readonly recommendationId: string;
    readonly ownerId: string;
    readonly ownerName: string;
    readonly note?: string;
  }
>;

export type ActionPlanned = DomainEvent<
  'ActionPlanned',
  {
    readonly recommendationId: string;
    readonly actionId: string;
    readonly description: string;
    readonly ownerId: string;
    readonly dueOn: IsoDate;
    readonly lpa?: string;
  }
>;

export type ActionProgressRecorded = DomainEvent<
  'ActionProgressRecorded',
  {
    readonly recommendationId: string;
    readonly actionId: string;
    readonly status: ProgressStatus;
    readonly note?: string;
  }
>;

export type DueDateExtended = DomainEvent<
  'DueDateExtended',
  {
    readonly recommendationId: string;
    readonly dueOn: IsoDate;
    /** The due date this extension replaced, so the history reads "from … to …" on its own. */
    readonly previousDueOn: IsoDate;
    readonly reason: string;
  }
>;

export type ClosureProposed = DomainEvent<
  'ClosureProposed',
  {
    readonly recommendationId: string;
    readonly evidence: string;
    /** The proposer's actor id: the one member of the board who may not decide it. */
    readonly proposedBy: string;
  }
>;

export type ClosureApproved = DomainEvent<
  'ClosureApproved',
  { readonly recommendationId: string; readonly reason: string }
>;

export type ClosureRejected = DomainEvent<
  'ClosureRejected',
  { readonly recommendationId: string; readonly reason: string }
>;

export type RecommendationReopened = DomainEvent<
  'RecommendationReopened',
  { readonly recommendationId: string; readonly reason: string }
>;

export type RecommendationEvent =
  | RecommendationRegistered
  | RecommendationAssigned
  | ActionPlanned
  | ActionProgressRecorded
  | DueDateExtended
  | ClosureProposed
  | ClosureApproved
  | ClosureRejected
  | RecommendationReopened;

export type RecommendationEventType = RecommendationEvent['type'];

