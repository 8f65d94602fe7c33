/**
 * Optimistic concurrency over HTTP (API.md, Concurrency): a GET of an aggregate answers
 * `ETag: "<revision>"`; a command may send it back as `If-Match: "<revision>"` to be applied
 * only against that revision. Revisions are strong validators: weak ones (`W/"3"`), lists and
 * `*` are refused as malformed rather than silently ignored.
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ProblemError } from './problem';

const ENTITY_TAG = /^"(0|[1-9][0-9]*)"$/;

/** The expected revision an `If-Match` header names; undefined without the header. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? undefined : header.trim();
  const match = value === undefined ? null : ENTITY_TAG.exec(value);
  const revision = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  if (!Number.isSafeInteger(revision)) {
    throw new ProblemError(
      400,
      'invalid-if-match',
      'Invalid If-Match',
      'If-Match must be one strong entity tag holding a revision, as the ETag of a GET gives it: "<revision>"',
    );
  }
  return revision;
}

/** The request's `If-Match` as an expected revision: `@IfMatch() expected: number | undefined`. */
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined =>
  parseIfMatch(context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['if-match']),
);

/** Whether the request made its command conditional on a revision. */
export function hasIfMatch(request: { readonly headers: Readonly<Record<string, unknown>> }): boolean {
  return request.headers['if-match'] !== undefined;
}

/** The part of a reply `setETag` needs (Fastify's has it). */
interface HeaderReply {
  header(name: string, value: string): unknown;
}

/** `ETag: "<revision>"` on the answer: `setETag(reply, state.revision)` with `@Res({ passthrough: true })`. */
export function setETag(reply: HeaderReply, revision: number): void {
  reply.header('ETag', etagOf(revision));
}

export function etagOf(revision: number): string {
  return `"${revision}"`;
}
