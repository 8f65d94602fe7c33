/**
 * Stream names, `<category>-<id>` (STYLE.md habit 4), as the command side writes them. The
 * category ends at the first dash, as EventStoreDB's category projection reads it; the id may
 * hold dashes of its own (`recommendation-stolen-freedom-4`).
 */
export const RECOMMENDATION_CATEGORY = 'recommendation';
export const INSPECTION_CATEGORY = 'inspection';
export const TASKING_CATEGORY = 'tasking';
export const REQUIREMENT_CATEGORY = 'requirement';
export const FINDING_CATEGORY = 'finding';

export const recommendationStream = (id: string): string => `${RECOMMENDATION_CATEGORY}-${id}`;
export const inspectionStream = (id: string): string => `${INSPECTION_CATEGORY}-${id}`;
export const taskingStream = (id: string): string => `${TASKING_CATEGORY}-${id}`;
/** An intelligence requirement's stream. */
export const requirementStream = (id: string): string => `${REQUIREMENT_CATEGORY}-${id}`;
/** An audit finding's stream. */
export const findingStream = (id: string): string => `${FINDING_CATEGORY}-${id}`;

/** The category and id of a stream name; a name without a dash has no category. */
export function parseStreamId(streamId: string): { readonly category: string; readonly id: string } | undefined {
  const dash = streamId.indexOf('-');
  if (dash <= 0 || dash === streamId.length - 1) return undefined;
  return { category: streamId.slice(0, dash), id: streamId.slice(dash + 1) };
}
