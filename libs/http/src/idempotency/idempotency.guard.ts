/**
 * Idempotency-Key on command POSTs (API.md, Idempotency; the IETF draft's semantics). The first
 * request with a key claims it durably and runs with a command id derived from the key, so
 * that even a re-run after a crash appends nothing new. Its final answer (a success, or an
 * error of the request itself) is stored and replayed, same status and body, to every repeat
 * with the same body; another body is a 422, a repeat while the first runs a 409. Answers that
 * a retry could change (5xx, a lost race) are not stored: the key is released.
 *
 * The key is claimed by a guard, after the authentication guard (the key's scope is the caller)
 * and before the pipes (a request refused by validation is answered, and its answer stored,
 * like any other); the claim is settled by the exception filter for a failure and by a send
 * hook of the HTTP server for a success (pending-claim.ts). No interceptor: Nest runs every
 * request of every route through each one's layers of observables, which cost commands about an
 * eighth of their CPU (`npm run bench:http`).
 */
import { randomUUID } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { admittedByAuth, principalOf } from '@app/auth';
import type { ErrorAnswer } from '../error-answer';
import { PROBLEM_CONTENT_TYPE, ProblemError } from '../problem';
import { setCommandId } from './command-id';
import { commandIdFor, idempotencyScope, parseIdempotencyKey, requestFingerprint, requestTarget } from './idempotency-key';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions, IdempotencyStore, type StoredAnswer } from './idempotency.store';
import { holdClaim, markReplayed, type PendingClaim, takeClaim } from './pending-claim';

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

interface CommandReply {
  readonly statusCode: number;
  status(code: number): unknown;
  header(name: string, value: string): unknown;
  getHeader(name: string): unknown;
  send(payload: unknown): unknown;
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

/**
 * Registered after `AuthModule`'s guard, as Nest runs global guards in the order their modules
 * are imported: it reads the caller. If it ever runs first, a keyed request fails (a 500) rather
 * than share its key with other callers.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Idempotency');
  private readonly now: () => number;
  private nextPurge = 0;

  constructor(
    private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_OPTIONS) options: IdempotencyOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Before the server is ready, so that every route has it: a success settles its claim as it is sent. */
  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!server) return;
    server.addHook('onSend', (request, reply, payload, done) => {
      const claim = takeClaim(request);
      if (!claim) {
        done(null, payload);
        return;
      }
      // Returned rather than passed to done: Fastify goes on with the send itself, and answers
      // whatever that throws (a header Node refuses) as an error instead of losing it.
      return settleSuccess(claim, reply, payload).then(() => payload);
    });
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<CommandRequest>();
    const key = request.method === 'POST' ? parseIdempotencyKey(request.headers['idempotency-key']) : undefined;
    if (key === undefined) {
      setCommandId(request, randomUUID());
      return true;
    }
    return this.claim(request, http.getResponse<CommandReply>(), key);
  }

  private async claim(request: CommandRequest, reply: CommandReply, key: string): Promise<boolean> {
    // The key's scope is the caller: without the auth guard's word, two callers would share keys.
    if (!admittedByAuth(request)) {
      throw new Error('IdempotencyGuard ran before AuthGuard: import AuthModule before IdempotencyModule');
    }
    const now = this.now();
    this.purgeNowAndThen(now);
    const scope = idempotencyScope(principalOf(request)?.id, request.method, target(request), key);
    const fingerprint = requestFingerprint(request.body, request.headers['if-match']);
    const claim = await this.store.claim(scope, fingerprint, commandIdFor(scope, fingerprint), now);
    switch (claim.kind) {
      case 'answered':
        markReplayed(request);
        replay(reply, claim.answer);
        // The answer is on its way: the exception filter leaves the refusal Nest raises next.
        return false;
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
    holdClaim(request, this.settlement(scope, claim.token));
    return true;
  }

  /** How the claim is settled. Failing to store is logged, not answered: the lease and the command id cover it. */
  private settlement(scope: string, token: string): PendingClaim {
    const complete = async (answer: StoredAnswer): Promise<void> => {
      try {
        await this.store.complete(scope, token, answer, this.now());
      } catch (error) {
        this.logger.error(`could not store an answer (its key is retried after the lease): ${String(error)}`);
      }
    };
    const release = async (): Promise<void> => {
      try {
        await this.store.release(scope, token);
      } catch (error) {
        this.logger.error(`could not release an Idempotency-Key: ${String(error)}`);
      }
    };
    return {
      succeeded: complete,
      failed: (answer: ErrorAnswer) =>
        answer.final ? complete({ status: answer.status, body: answer.problem, headers: { ...answer.headers, 'content-type': PROBLEM_CONTENT_TYPE } }) : release(),
      released: release,
    };
  }

  private purgeNowAndThen(now: number): void {
    if (now < this.nextPurge) return;
    this.nextPurge = now + PURGE_INTERVAL_MS;
    this.store.purgeExpired(now).catch((error: unknown) => {
      this.logger.warn(`could not purge expired Idempotency-Keys: ${String(error)}`);
    });
  }
}

/**
 * A success as it is sent: what the route returned, read back from its serialised form. A JSON
 * body is stored as its value (and sent again as JSON); text as it is, with its type. Anything
 * else (a stream, bytes) cannot be replayed, and the key is let go.
 */
function settleSuccess(claim: PendingClaim, reply: CommandReply, payload: unknown): Promise<void> {
  if (payload !== undefined && typeof payload !== 'string') return claim.released();
  const headers: Record<string, string> = {};
  for (const name of ANSWER_HEADERS) {
    const value = reply.getHeader(name);
    if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
  }
  const type = reply.getHeader('content-type');
  let body: unknown = payload;
  if (payload !== undefined && typeof type === 'string' && /^application\/json\b/i.test(type)) {
    try {
      body = JSON.parse(payload);
    } catch {
      headers['content-type'] = type;
    }
  } else if (typeof type === 'string') {
    headers['content-type'] = type;
  }
  return claim.succeeded({ status: reply.statusCode, body, headers });
}

function replay(reply: CommandReply, answer: StoredAnswer): void {
  reply.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  // Tells the client this is the first request's answer (as Stripe and others do).
  reply.header('Idempotent-Replayed', 'true');
  reply.send(answer.body);
}
