import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { answerFor, type RequestHeaders } from './error-answer';
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
    const { status, problem, headers, unexpected } = answerFor(error, request);
    if (unexpected) {
      this.logger.error(
        `${request.method ?? '?'} ${request.url ?? '?'} failed, ${problem.instance ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    } else if (status === 503) {
      this.logger.warn(`${request.method ?? '?'} ${request.url ?? '?'}: 503, ${error instanceof Error ? error.message : String(error)}`);
    }
    if (reply.sent) return;
    // What the handler set for a success does not describe this answer.
    for (const name of ['ETag', 'Location']) reply.removeHeader(name);
    reply.status(status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.header('Content-Type', PROBLEM_CONTENT_TYPE);
    reply.send(JSON.stringify(problem));
  }
}
