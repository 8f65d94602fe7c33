import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { actorFor, principalOf, type Principal } from '@app/auth';
import type { Actor, Role } from '@app/domain';
import { type CommandContext, deterministicId } from '@app/event-store';
import { commandIdOf, parseIfMatch, setETag } from '@app/http';

/** What every command route needs of its request besides the body. */
export interface CommandCall {
  readonly principal: Principal;
  /** From the Idempotency-Key, or fresh: the id the command's event ids derive from. */
  readonly commandId: string;
  /** The caller's If-Match, if any. */
  readonly expectedRevision: number | undefined;
  /** Whether the request carries an Idempotency-Key: only then may its command be a repeat. */
  readonly keyed: boolean;
  /**
   * Sets `ETag: "<revision>"` from the command's answer, for the caller's next If-Match, and
   * returns the answer. (Set by the route rather than by an interceptor: each interceptor is a
   * layer of observables every request goes through.)
   */
  answer<Answer extends { readonly revision: number }>(answer: Answer): Answer;
}

/** `@Call() call: CommandCall`: the principal, command id and If-Match of a command request. */
export const Call = createParamDecorator((_data: unknown, context: ExecutionContext): CommandCall => {
  const http = context.switchToHttp();
  const request = http.getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  const reply = http.getResponse<FastifyReply>();
  const principal = principalOf(request);
  const commandId = commandIdOf(request);
  if (!principal || !commandId) throw new Error('@Call() on a route without a principal or a command id');
  return {
    principal,
    commandId,
    expectedRevision: parseIfMatch(request.headers['if-match']),
    keyed: request.headers['idempotency-key'] !== undefined,
    answer: (answer) => {
      setETag(reply, answer.revision);
      return answer;
    },
  };
});

/** Who asks and as part of what; `commandId` makes a retried request append nothing new. */
export interface CommandRequest {
  readonly actor: Actor;
  /** Derived from the Idempotency-Key when there is one, else fresh per request. */
  readonly commandId: string;
  readonly correlationId: string;
  /** The request's instant (ISO 8601, Z): the domain's only clock. */
  readonly now: string;
  /** False when the command id is fresh (no Idempotency-Key): it cannot be a repeat. */
  readonly repeatable?: boolean;
}

/** The request as the command services take it: the caller as the actor in the role the command needs. */
export function commandRequest(call: CommandCall, roles: readonly Role[]): CommandRequest {
  return {
    actor: actorFor(call.principal, roles),
    commandId: call.commandId,
    correlationId: call.commandId,
    now: new Date().toISOString(),
    repeatable: call.keyed,
  };
}

/** What `handleCommand` records of the request as its events' metadata and ids. */
export function commandContext(request: CommandRequest): CommandContext {
  return {
    commandId: request.commandId,
    actor: request.actor,
    correlationId: request.correlationId,
    now: request.now,
    repeatable: request.repeatable ?? true,
  };
}

/**
 * The id of something a command creates (an action, a tasking, a finding): derived from the
 * command id when the request may come again (it carries an Idempotency-Key), so that a repeat
 * creates the same one, not a second; else random.
 */
export function createdId(request: Pick<CommandRequest, 'commandId' | 'repeatable'>, name: string): string {
  return (request.repeatable ?? true) ? deterministicId(`${request.commandId}/${name}`) : randomUUID();
}
