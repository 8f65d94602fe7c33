import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';
import { principalOf, type Principal } from '@app/auth';
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
}

/** `@Call() call: CommandCall`: the principal, command id and If-Match of a command request. */
export const Call = createParamDecorator((_data: unknown, context: ExecutionContext): CommandCall => {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  const principal = principalOf(request);
  const commandId = commandIdOf(request);
  if (!principal || !commandId) throw new Error('@Call() on a route without a principal or a command id');
  return {
    principal,
    commandId,
    expectedRevision: parseIfMatch(request.headers['if-match']),
    keyed: request.headers['idempotency-key'] !== undefined,
  };
});

/** Sets `ETag: "<revision>"` from a command's answer, for the caller's next If-Match. */
@Injectable()
export class AnswerETag implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((answer: unknown) => {
        const revision = (answer as { revision?: unknown } | null)?.revision;
        if (typeof revision === 'number') setETag(reply, revision);
        return answer;
      }),
    );
  }
}
