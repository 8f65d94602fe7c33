/**
 * The HTTP server of the API: Fastify, JSON bodies only, at most 256 KiB of them (API.md). Any
 * other media type is a 415 (Fastify would otherwise parse text/plain and Nest urlencoded forms).
 * A JSON body nested deeper than MAX_JSON_DEPTH, or with a `__proto__` key (or a `constructor`
 * holding a `prototype`), is a 400 naming where: no route takes anything like it, the one would
 * exhaust the stack of what walks the body (a 500 before), and the other is the shape of a
 * prototype-pollution attempt.
 */
import { STATUS_CODES } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '@app/domain';
import { type Problem, PROBLEM_CONTENT_TYPE, ProblemError } from './problem';
import { RequestValidationError } from './validation';

/** API.md: a body over 256 KiB is a 413. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Deeper than any body of API.md (three levels at most) by far. */
export const MAX_JSON_DEPTH = 32;

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
  // Completes through `done` (Nest reads a parser's return value only when it is a promise); a
  // throw is passed on to `done` by Nest.
  adapter.useBodyParser('application/json', false, { bodyLimit }, (_request: unknown, body: Buffer, done: (error: Error | null, parsed?: unknown) => void) => {
    done(null, parseJsonBody(body.toString('utf8')));
  });
  adapter.useBodyParser('*', false, { bodyLimit }, (request: { headers: Record<string, unknown> }) => {
    const type = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : 'none';
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', `the body must be application/json, not ${type}`);
  });
  return adapter;
}

/**
 * A JSON body, refused (400) when it is not JSON (as Fastify's own parser says it), nested too
 * deep (measured on the text, before anything recurses into it), or carrying a key of prototype
 * pollution.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw malformed("Body cannot be empty when content-type is set to 'application/json'");
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new RequestValidationError([{ field: '', message: `the body is nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are taken` }]);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed("Body is not valid JSON but content-type is set to 'application/json'");
  }
  const issues: FieldIssue[] = [];
  findPollution(body, '', issues);
  if (issues.length > 0) throw new RequestValidationError(issues);
  return body;
}

/** Not JSON: a 400 of type malformed-json, in Fastify's words. */
function malformed(message: string): Error {
  return Object.assign(new SyntaxError(message), { statusCode: 400 });
}

/** The deepest nesting of objects and arrays in JSON text (strings skipped). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}

/** Keys of prototype pollution, as secure-json-parse (Fastify's) refuses them: `__proto__`, and `constructor.prototype`. */
function findPollution(value: unknown, field: string, issues: FieldIssue[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const path = field === '' ? key : `${field}.${key}`;
    if (key === '__proto__') issues.push({ field: path, message: 'a field named __proto__ is not taken' });
    else if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child as object, 'prototype')) {
      issues.push({ field: path, message: 'a constructor with a prototype is not taken' });
    } else findPollution(child, path, issues);
  }
}
