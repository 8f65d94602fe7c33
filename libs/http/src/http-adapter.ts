/**
 * The HTTP server of the API: Fastify, JSON bodies only, at most 256 KiB of them (API.md). Any
 * other media type is a 415 (Fastify would otherwise parse text/plain and Nest urlencoded forms).
 */
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ProblemError } from './problem';

/** API.md: a body over 256 KiB is a 413. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** The longest path parameter Fastify routes (its default, 100, is shorter than some ids). */
const MAX_PARAM_LENGTH = 200;

export function createHttpAdapter(bodyLimit = BODY_LIMIT_BYTES): FastifyAdapter {
  // Recommendation ids are `<inspection id>-<number>`, and an inspection id may have 100 characters.
  const adapter = new FastifyAdapter({ bodyLimit, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } });
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
