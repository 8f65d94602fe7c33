/**
 * Problem details (RFC 9457), the one shape of every error answer, and `ProblemError`, the
 * error that carries one from the HTTP layer itself (a malformed header, a reused idempotency
 * key). Domain and event-store errors keep their own classes; `answerFor` maps them.
 */
import type { FieldIssue } from '@app/domain';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Problem types are relative references, resolved against the API's own origin: stable
 * strings to branch on. `about:blank` (RFC 9457 §4.2.1) where the status says it all.
 */
export const PROBLEM_TYPE_BASE = '/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** For a 400: the fields at fault (paths such as `recommendations.0.number`); may be empty. */
  readonly errors?: readonly FieldIssue[];
  /** For a 500: the id under which it was logged. */
  readonly instance?: string;
}

/** The problem type of a named kind of problem: `/problems/<slug>`. */
export function problemType(slug: string): string {
  return `${PROBLEM_TYPE_BASE}${slug}`;
}

/** An error the HTTP layer answers with exactly this problem. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly errors: readonly FieldIssue[] = [],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}
