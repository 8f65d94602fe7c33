import { type Action, type Recommendation, type RecommendationEvent, recommendationDecider } from '@app/domain';
import type { RecordedEvent } from '@app/event-store';
import type { Kysely } from 'kysely';
import type { ReadModelSchema, RecommendationActionsTable, RecommendationsTable } from '../schema';
import { type Projected, projectedAfter } from './projected';
import type { RowWrites } from './row-writes';
import { integerOrNull, textOrNull } from './values';

/** A recommendation as the read model holds it: the domain's own state, and where the log had got to. */
export type ProjectedRecommendation = Projected<Recommendation>;

/**
 * What one event of a recommendation's stream makes of its row: the row after the event, or
 * undefined while the stream holds no registration (there is nothing to show). The rules are the
 * domain's `evolve`; this only keeps track of where in the log the row stands.
 */
export function projectRecommendation(
  id: string,
  previous: ProjectedRecommendation | undefined,
  event: RecordedEvent,
): ProjectedRecommendation | undefined {
  const state = recommendationDecider.evolve(previous?.state ?? recommendationDecider.initialState(), asRecommendationEvent(event));
  return state.registered ? projectedAfter(id, state, previous, event) : undefined;
}

/**
 * A recorded event as the domain's evolve takes it. The log is not checked against the domain's
 * types here: evolve is total, so an event of a type it does not know changes nothing.
 */
export function asRecommendationEvent(event: RecordedEvent): RecommendationEvent {
  return { type: event.type, data: event.data } as unknown as RecommendationEvent;
}

/** Its row's columns but `state`, serialised only when it changed (writeProjectedRow, apply-events.ts). */
export function recommendationColumns(projected: ProjectedRecommendation): Omit<RecommendationsTable, 'state'> {
  const { state } = projected;
  return {
    id: projected.id,
    inspection_id: textOrNull(state.inspectionId),
    number: integerOrNull(state.number),
    text: textOrNull(state.text),
    addressee: textOrNull(state.addressee),
    area: textOrNull(state.area),
    timescale: textOrNull(state.timescale),
    status: state.status,
    owner_id: textOrNull(state.owner?.id),
    owner_name: textOrNull(state.owner?.name),
    due_on: textOrNull(state.dueOn),
    original_due_on: textOrNull(state.originalDueOn),
    revision: projected.revision,
    position: Number(projected.position),
    registered_position: Number(projected.registeredPosition),
  };
}

/**
 * Adds to `writes` what makes the action rows of `before` (as stored; undefined: none) those of
 * `after`, rather than all of them again (a recommendation gathers tens of actions, and most
 * events change one or none). A row is an action's place in the list (its ordinal), whatever its
 * id: an event can carry any id, or two actions the same one, and neither must stop the projection
 * at a key. The same action object at a place in both is the same row: evolve never changes an
 * action in place but builds a new one, and keeps those it does not touch. Anything else is
 * compared column by column.
 */
export function writeActionRows(writes: RowWrites, before: ProjectedRecommendation | undefined, after: ProjectedRecommendation): void {
  const stored = before?.state.actions ?? [];
  after.state.actions.forEach((action, ordinal) => {
    const was = stored[ordinal];
    if (was === undefined) writes.insert('recommendation_actions', actionRow(after.id, action, ordinal));
    else if (was !== action) writes.update('recommendation_actions', actionRow(after.id, was, ordinal), actionRow(after.id, action, ordinal));
  });
  // Evolve drops actions only when a stream is registered again: the places past the new list go.
  for (let ordinal = after.state.actions.length; ordinal < stored.length; ordinal += 1) {
    writes.delete('recommendation_actions', { recommendation_id: after.id, ordinal });
  }
}

function actionRow(recommendationId: string, action: Action, ordinal: number): RecommendationActionsTable {
  return {
    recommendation_id: recommendationId,
    action_id: textOrNull(action.id),
    ordinal,
    description: textOrNull(action.description),
    owner_id: textOrNull(action.ownerId),
    due_on: textOrNull(action.dueOn),
    lpa: textOrNull(action.lpa),
    status: textOrNull(action.status),
    state: JSON.stringify(action),
  };
}

/** A recommendation's state as its row stores it: all but its actions, which their own rows hold. */
export function storedRecommendationState(state: Recommendation): string {
  const { actions: _actions, ...rest } = state;
  return JSON.stringify(rest);
}

/** Ids per SELECT of the rows (or their actions) that a batch or a query needs. */
export const IDS_PER_STATEMENT = 500;

/**
 * The domain states of stored recommendation rows, in the order given: each row's state with its
 * actions, from their rows, in the order they were planned. `every`: the rows are every
 * recommendation there is (for figures over them all), so all actions are read, without a list.
 */
export async function storedRecommendations(
  db: Kysely<ReadModelSchema>,
  rows: readonly { readonly id: string; readonly state: string }[],
  every = false,
): Promise<Recommendation[]> {
  const actions = new Map<string, Action[]>();
  const collect = (found: readonly { recommendation_id: string; state: string }[]): void => {
    for (const row of found) {
      let list = actions.get(row.recommendation_id);
      if (!list) actions.set(row.recommendation_id, (list = []));
      list.push(JSON.parse(row.state) as Action);
    }
  };
  const select = db.selectFrom('recommendation_actions').select(['recommendation_id', 'state']);
  if (every) collect(await select.orderBy('recommendation_id').orderBy('ordinal').execute());
  else {
    const ids = rows.map((row) => row.id);
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
      const some = ids.slice(start, start + IDS_PER_STATEMENT);
      collect(await select.where('recommendation_id', 'in', some).orderBy('recommendation_id').orderBy('ordinal').execute());
    }
  }
  return rows.map((row) => ({ ...(JSON.parse(row.state) as Omit<Recommendation, 'actions'>), actions: actions.get(row.id) ?? [] }));
}

