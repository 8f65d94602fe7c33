/** Views derived from a recommendation at a date: never stored, so never stale. */
import { asDate, isAfter } from '../calendar';
import type { Action, Recommendation } from './recommendation.state';
import type { Rag } from './recommendation.values';

/**
 * The RAG of this recommendation on the date of `at` (a date, or an instant read in UTC):
 * grey if not addressed to forces, green if closed, red if open and past its current due date
 * (the due date itself is not past), amber otherwise. To ask about the past, fold the stream up
 * to that time and pass the same time here.
 */
export function ragAt(recommendation: Recommendation, at: string): Rag {
  if (recommendation.addressee !== 'forces') return 'grey';
  if (recommendation.status === 'closed') return 'green';
  return isAfter(asDate(at), recommendation.dueOn) ? 'red' : 'amber';
}

/**
 * The actions not complete and past their due date on the date of `at`. A closed recommendation
 * has none: the board accepted its response as it stood.
 */
export function overdueActionsAt(recommendation: Recommendation, at: string): readonly Action[] {
  if (recommendation.status === 'closed') return [];
  const date = asDate(at);
  return recommendation.actions.filter((action) => action.status !== 'complete' && isAfter(date, action.dueOn));
}
