import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type ErrorAnswer, answerFor, type RequestHeaders } from './error-answer';
import { takeClaim, wasReplayed } from './idempotency/pending-claim';
import { PROBLEM_CONTENT_TYPE } from './problem';

/** The part of the reply the filter uses (Fastify's reply has it). */
export interface ProblemReply {
  readonly sent: boolean;
  status(code: number): unknown;
  header(name: string, value: string): unknown;
  removeHeader(name: string): unknown;
  send(payload: string): unknown;
}

interface LoggedRequest extends RequestHeaders {
  readonly method?: string;
  readonly url?: string;
}

/**
 * Every error of every HTTP request, Nest's own (unknown route, body parser, body limit)
 * included, becomes `application/problem+json`. Faults of ours are logged with their stack and
 * answered with an id to find it by, never with internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<LoggedRequest>();
    const reply = http.getResponse<ProblemReply>();
    // Answered by the idempotency guard with a stored answer; Nest's refusal after it is no answer.
    if (wasReplayed(request)) return;
    const answer = answerFor(error, request);
    const { status, unexpected } = answer;
    if (unexpected) {
      this.logger.error(
        `${request.method ?? '?'} ${request.url ?? '?'} failed, ${answer.problem.instance ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    } else if (status === 503) {
      this.logger.warn(`${request.method ?? '?'} ${request.url ?? '?'}: 503, ${error instanceof Error ? error.message : String(error)}`);
    }
    // A request holding an Idempotency-Key: the answer is stored (or the key let go) before the
    // client has it, so that a repeat it sends on receipt finds it settled.
    const claim = takeClaim(request);
    if (!claim) return send(reply, answer);
    claim
      .failed(answer)
      .then(() => send(reply, answer))
      .catch((sendError: unknown) => this.logger.error(`${request.method ?? '?'} ${request.url ?? '?'}: could not send its answer: ${String(sendError)}`));
  }
}

function send(reply: ProblemReply, { status, problem, headers }: ErrorAnswer): void {
  if (reply.sent) return;
  // What the handler set for a success does not describe this answer.
  for (const name of ['ETag', 'Location']) reply.removeHeader(name);
  reply.status(status);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.header('Content-Type', PROBLEM_CONTENT_TYPE);
  reply.send(JSON.stringify(problem));
}
