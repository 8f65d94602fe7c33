/** The values a tasking's fields take (API.md, Values). */

export const TASKING_PRIORITIES = ['urgent', 'high', 'routine'] as const;
export type TaskingPriority = (typeof TASKING_PRIORITIES)[number];

/** `escalated` is not a status but a flag beside it (DOMAIN.md). */
export const TASKING_STATUSES = ['issued', 'delivered', 'acknowledged', 'completed', 'declined', 'cancelled'] as const;
export type TaskingStatus = (typeof TASKING_STATUSES)[number];

/** Where the LPA has not answered for good yet: what it can still acknowledge, complete or decline. */
export const OPEN_TASKING_STATUSES = ['issued', 'delivered', 'acknowledged'] as const satisfies readonly TaskingStatus[];

export const TASKING_SOURCE_KINDS = ['recommendation', 'intelligence-requirement', 'audit-finding'] as const;
export type TaskingSourceKind = (typeof TASKING_SOURCE_KINDS)[number];

/** What a tasking was issued for; none when it was issued on its own. */
export interface TaskingSource {
  readonly kind: TaskingSourceKind;
  readonly id: string;
  /**
   * Which state of the source the tasking answers: the version of an intelligence requirement it
   * fills; for an audit finding, the round of correction (0 at first, n after n rejections), so
   * that the completion of an earlier round's tasking never passes for the current correction.
   */
  readonly version?: number;
}

export const MAX_RECORD_REFERENCES = 50;
