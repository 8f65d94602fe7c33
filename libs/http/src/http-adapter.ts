/**
 * The HTTP server of the API: Fastify, JSON bodies only, at most 256 KiB of them (API.md). Any
 * other media type is a 415 (Fastify would otherwise parse text/plain and Nest urlencoded forms).
 */
import { STATUS_CODES } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type Problem, PROBLEM_CONTENT_TYPE, ProblemError } from './problem';

/** API.md: a body over 256 KiB is a 413. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** The longest path parameter Fastify routes (its default, 100, is shorter than some ids). */
const MAX_PARAM_LENGTH = 200;

export function createHttpAdapter(bodyLimit = BODY_LIMIT_BYTES): FastifyAdapter {
  // Recommendation ids are `<inspection id>-<number>`, and an inspection id may have 100 characters.
  const adapter = new FastifyAdapter({
    bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What the router refuses before any route runs (a malformed path, a parameter too long)
    // never reaches Nest's filter: answered here, as problem+json like everything else.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      const problem: Problem = {
        type: 'about:blank',
        title: STATUS_CODES[status] ?? 'Bad Request',
        status,
        detail: error.message,
        ...(status === 400 ? { errors: [] } : {}),
      };
      void reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problem);
    },
  });
  adapter.getInstance().removeAllContentTypeParsers();
  // Through the adapter, so that Nest's default JSON parser is the one and it registers none of
  // its own (urlencoded) at init: a catch-all it knows of stops that.
  adapter.useBodyParser('application/json', false, { bodyLimit });
  adapter.useBodyParser('*', false, { bodyLimit }, (request: { headers: Record<string, unknown> }) => {
    const type = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : 'none';
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', `the body must be application/json, not ${type}`);
  });
  return adapter;
}
