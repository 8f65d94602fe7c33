/**
 * Idempotency-Key on command POSTs (API.md, Idempotency; the IETF draft's semantics). The first
 * request with a key claims it durably and runs with a command id derived from the key, so
 * that even a re-run after a crash appends nothing new. Its final answer (a success, or an
 * error of the request itself) is stored and replayed, same status and body, to every repeat
 * with the same body; another body is a 422, a repeat while the first runs a 409. Answers that
 * a retry could change (5xx, a lost race) are not stored: the key is released.
 */
import { randomUUID } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { from, mergeMap, type Observable, of, catchError } from 'rxjs';
import { principalOf } from '@app/auth';
import { answerFor } from '../error-answer';
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../problem';
import { setCommandId } from './command-id';
import { commandIdFor, idempotencyScope, parseIdempotencyKey, requestFingerprint, requestTarget } from './idempotency-key';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions, IdempotencyStore, type StoredAnswer } from './idempotency.store';

/** The headers of an answer that are part of it, and replayed with it. */
const ANSWER_HEADERS = ['etag', 'location', 'retry-after', 'www-authenticate'] as const;

/** Expired keys are purged at most this often, in the background of a keyed request. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

interface CommandRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
  /** Fastify's: the route's template (`/api/recommendations/:id/actions`) and its decoded params. */
  readonly routeOptions?: { readonly url?: string };
  readonly params?: unknown;
}

/**
 * Which resource the request acts on, however its path was spelled (`%69nsp-1` is `insp-1`): the
 * route's template and its decoded parameters, else the raw path.
 */
function target(request: CommandRequest): string {
  const template = request.routeOptions?.url;
  if (template === undefined) return request.url.split('?', 1)[0] ?? '';
  return requestTarget(template, request.params);
}

interface CommandReply {
  readonly statusCode: number;
  status(code: number): unknown;
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  private readonly now: () => number;
  private nextPurge = 0;

  constructor(
    private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_OPTIONS) options: IdempotencyOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<CommandRequest>();
    const reply = http.getResponse<CommandReply>();
    const key = request.method === 'POST' ? parseIdempotencyKey(request.headers['idempotency-key']) : undefined;
    if (key === undefined) {
      setCommandId(request, randomUUID());
      return next.handle();
    }

    const now = this.now();
    this.purgeNowAndThen(now);
    const scope = idempotencyScope(principalOf(request)?.id, request.method, target(request), key);
    const fingerprint = requestFingerprint(request.body, request.headers['if-match']);
    const claim = await this.store.claim(scope, fingerprint, commandIdFor(scope, fingerprint), now);
    switch (claim.kind) {
      case 'answered':
        return of(replay(reply, claim.answer));
      case 'mismatch':
        throw new ProblemError(
          422,
          'idempotency-key-reused',
          'Idempotency-Key already used',
          'this Idempotency-Key was used for another request (another body or If-Match): use a new key for a new request',
        );
      case 'in-flight':
        throw new ProblemError(
          409,
          'idempotency-key-in-flight',
          'Request with this Idempotency-Key in progress',
          'a request with this Idempotency-Key is still being processed: retry once it has been answered',
        );
      case 'claimed':
        break;
    }
    if (claim.takenOver) {
      this.logger.warn(`${request.method} ${request.url}: an abandoned Idempotency-Key claim was taken over and is run again`);
    }
    setCommandId(request, claim.commandId);
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        await this.settle(scope, claim.token, { status: reply.statusCode, body, headers: answerHeaders(reply) });
        return body;
      }),
      catchError((error: unknown) => from(this.settleFailure(scope, claim.token, error, request))),
    );
  }

  /** Stores a success. Failing to is logged, not answered: the lease and the command id cover it. */
  private async settle(scope: string, token: string, answer: StoredAnswer): Promise<void> {
    try {
      await this.store.complete(scope, token, answer, this.now());
    } catch (error) {
      this.logger.error(`could not store an answer (its key is retried after the lease): ${String(error)}`);
    }
  }

  private async settleFailure(scope: string, token: string, error: unknown, request: CommandRequest): Promise<never> {
    const answer = answerFor(error, request);
    try {
      if (answer.final) {
        const headers = { ...answer.headers, 'content-type': PROBLEM_CONTENT_TYPE };
        await this.store.complete(scope, token, { status: answer.status, body: answer.problem, headers }, this.now());
      } else {
        await this.store.release(scope, token);
      }
    } catch (storeError) {
      this.logger.error(`could not settle an Idempotency-Key after a failure: ${String(storeError)}`);
    }
    throw error;
  }

  private purgeNowAndThen(now: number): void {
    if (now < this.nextPurge) return;
    this.nextPurge = now + PURGE_INTERVAL_MS;
    this.store.purgeExpired(now).catch((error: unknown) => {
      this.logger.warn(`could not purge expired Idempotency-Keys: ${String(error)}`);
    });
  }
}

function answerHeaders(reply: CommandReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ANSWER_HEADERS) {
    const value = reply.getHeader(name);
    if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
  }
  return headers;
}

function replay(reply: CommandReply, answer: StoredAnswer): unknown {
  reply.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  // Tells the client this is the first request's answer (as Stripe and others do).
  reply.header('Idempotent-Replayed', 'true');
  return answer.body;
}
