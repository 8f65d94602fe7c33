/**
 * The one place where errors become HTTP answers (STYLE.md, habit 5). The exception filter sends
 * what `answerFor` says, and for a request holding an Idempotency-Key it stores that very answer
 * first (or lets the key go when `final` says a retry could be answered otherwise).
 */
import { RateLimitedError } from './rate-limit/rate-limit';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { AccessDeniedError, AuthenticationError } from '@app/auth';
import { DomainError, type DomainErrorKind, type FieldIssue } from '@app/domain';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '@app/event-store';
import { ProjectionLagError } from '@app/read-model';
import { isDependencyFailure } from './dependency-failure';
import { type Problem, ProblemError, problemType } from './problem';
import { hasIfMatch } from './revision';
import { RequestValidationError } from './validation';

/** How long a client should wait before retrying a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

export interface ErrorAnswer {
  readonly status: number;
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Whether the same request, sent again, would deserve the same answer: a completed operation's
   * result, which an Idempotency-Key replays. Not so for 5xx, nor for losing a race to
   * concurrent writers, which a retry may win.
   */
  readonly final: boolean;
  /** A fault of ours (a 500): to be logged with its stack under `problem.instance`. */
  readonly unexpected: boolean;
}

/** The part of the request the mapping reads. */
export interface RequestHeaders {
  readonly headers: Readonly<Record<string, unknown>>;
}

const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
  validation: 400,
  'not-found': 404,
  'illegal-state': 409,
  forbidden: 403,
};

export function answerFor(error: unknown, request: RequestHeaders): ErrorAnswer {
  if (error instanceof AuthenticationError) {
    return answer(401, 'about:blank', error.message, { headers: { 'WWW-Authenticate': error.challenge() } });
  }
  if (error instanceof AccessDeniedError) {
    return answer(403, 'about:blank', error.message);
  }
  if (error instanceof ProblemError) {
    return answer(error.status, problemType(error.slug), error.message, { title: error.title, errors: error.errors });
  }
  if (error instanceof RequestValidationError) {
    return answer(400, problemType('validation'), error.message, { title: 'Invalid request', errors: error.issues });
  }
  if (error instanceof DomainError) {
    return answer(DOMAIN_STATUS[error.kind], problemType(slugOf(error.name)), error.message, {
      title: titleOf(error.name),
      errors: error.issues,
    });
  }
  if (error instanceof WrongExpectedRevisionError) {
    // With If-Match the client named the revision: its precondition failed, for good. Without,
    // the command lost a race to other writers more times than the handler retries.
    return hasIfMatch(request)
      ? answer(412, problemType('stale-revision'), `${error.message}: read it again and decide on its current state`, {
          title: 'Stale revision',
        })
      : answer(409, problemType('concurrent-write'), `${error.message}: others wrote to it meanwhile, try again`, {
          title: 'Concurrent write',
          final: false,
        });
  }
  if (error instanceof DuplicateEventIdError) {
    return answer(409, problemType('duplicate-event'), 'this command was already recorded with other content', {
      title: 'Duplicate event',
      final: false,
    });
  }
  if (error instanceof InvalidAppendError) {
    return answer(400, problemType('invalid-event'), error.message, { title: 'Invalid event' });
  }
  if (error instanceof RateLimitedError) {
    return answer(429, problemType('rate-limited'), error.message, {
      title: 'Too many requests',
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      final: false,
    });
  }
  if (error instanceof ProjectionLagError) {
    return answer(503, problemType('read-model-behind'), error.message, {
      title: 'Read model behind',
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      final: false,
    });
  }
  if (error instanceof EventStoreUnavailableError || isDependencyFailure(error)) {
    return unavailable();
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 503) return unavailable();
    if (status < 500) {
      const malformed = isMalformedJson(error.cause);
      return answer(status, malformed ? problemType('malformed-json') : 'about:blank', messageOf(error), {
        title: malformed ? 'Malformed JSON' : undefined,
      });
    }
  }
  // Errors of the HTTP server itself about the request (Fastify's JSON parser) carry a status.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (error instanceof Error && typeof status === 'number' && status >= 400 && status < 500) {
    const malformed = isMalformedJson(error);
    return answer(status, malformed ? problemType('malformed-json') : 'about:blank', error.message, {
      title: malformed ? 'Malformed JSON' : undefined,
    });
  }
  const id = randomUUID();
  const fault = answer(500, 'about:blank', `Something went wrong on our side; it was logged as ${id}.`);
  return { ...fault, problem: { ...fault.problem, instance: `urn:uuid:${id}` }, unexpected: true };
}

function unavailable(): ErrorAnswer {
  return answer(503, 'about:blank', 'A service this request needs is unavailable; try again shortly.', {
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    final: false,
  });
}

function answer(
  status: number,
  type: string,
  detail: string,
  options: { title?: string; errors?: readonly FieldIssue[]; headers?: Record<string, string>; final?: boolean } = {},
): ErrorAnswer {
  return {
    status,
    problem: problem(status, type, detail, options.title, options.errors),
    headers: options.headers ?? {},
    final: options.final ?? status < 500,
    unexpected: false,
  };
}

function problem(status: number, type: string, detail: string, title?: string, errors?: readonly FieldIssue[]): Problem {
  return {
    type,
    title: title ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    // API.md: a 400 lists the fields at fault, if only as an empty list.
    ...(status === 400 ? { errors: (errors ?? []).map(normaliseField) } : {}),
  };
}

/** One notation for paths: `recommendations[0].number` (the domain's) becomes `recommendations.0.number`. */
function normaliseField(issue: FieldIssue): FieldIssue {
  return { field: issue.field.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, ''), message: issue.message };
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return error.message;
}

function isMalformedJson(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY';
}

/** `RecommendationAlreadyClosedError` → `recommendation-already-closed`. */
function slugOf(name: string): string {
  return words(name).join('-');
}

/** `RecommendationAlreadyClosedError` → `Recommendation already closed`. */
function titleOf(name: string): string {
  const [first = '', ...rest] = words(name);
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ');
}

function words(name: string): string[] {
  return name
    .replace(/Error$/, '')
    .split(/(?<=[a-z0-9])(?=[A-Z])/)
    .map((word) => word.toLowerCase());
}
