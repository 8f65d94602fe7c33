import { BadRequestException, HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { AccessDeniedError, AuthenticationError } from '@app/auth';
import {
  ClosureDecidedByProposerError,
  DuplicateRecommendationNumberError,
  RecommendationNotRegisteredError,
  RoleNotPermittedError,
} from '@app/domain';
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '@app/event-store';
import { answerFor } from './error-answer';
import { ProblemError } from './problem';
import { RequestValidationError } from './validation';

const plain = { headers: {} };
const conditional = { headers: { 'if-match': '"3"' } };

describe('answerFor', () => {
  it('answers a refused token with 401 and a Bearer challenge', () => {
    const answer = answerFor(new AuthenticationError('expired', 'the token has expired'), plain);
    expect(answer).toMatchObject({ status: 401, problem: { type: 'about:blank', title: 'Unauthorized', status: 401 } });
    expect(answer.headers['WWW-Authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
  });

  it('answers a denied role with 403', () => {
    expect(answerFor(new AccessDeniedError('this route is for board'), plain)).toMatchObject({
      status: 403,
      problem: { title: 'Forbidden', detail: 'this route is for board' },
    });
  });

  it('answers invalid input with 400 and the fields at fault', () => {
    const answer = answerFor(new RequestValidationError([{ field: 'a.0.b', message: 'b must be a string' }]), plain);
    expect(answer.problem).toEqual({
      type: '/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'a.0.b: b must be a string',
      errors: [{ field: 'a.0.b', message: 'b must be a string' }],
    });
    expect(answer.final).toBe(true);
  });

  it.each([
    [new DuplicateRecommendationNumberError('i-1', 3, 1), 400, '/problems/duplicate-recommendation-number'],
    [new RecommendationNotRegisteredError('r-1'), 404, '/problems/recommendation-not-registered'],
    [new ClosureDecidedByProposerError('r-1', 'u-1'), 409, '/problems/closure-decided-by-proposer'],
    [new RoleNotPermittedError('DecideClosure', 'strategic-lead', ['board']), 403, '/problems/role-not-permitted'],
  ])('answers the domain error %p by its kind', (error, status, type) => {
    const answer = answerFor(error, plain);
    expect(answer).toMatchObject({ status, final: true, problem: { status, type, detail: error.message } });
  });

  it('titles a domain error after its rule and writes its fields in one notation', () => {
    expect(answerFor(new DuplicateRecommendationNumberError('i-1', 3, 1), plain).problem).toMatchObject({
      title: 'Duplicate recommendation number',
      errors: [{ field: 'recommendations.1.number', message: '3 appears more than once' }],
    });
  });

  it('answers a stale revision with 412 when If-Match named it, else with a 409 worth retrying', () => {
    const error = new WrongExpectedRevisionError('thing-1', 3, 4);
    expect(answerFor(error, conditional)).toMatchObject({ status: 412, final: true, problem: { type: '/problems/stale-revision' } });
    expect(answerFor(error, plain)).toMatchObject({ status: 409, final: false, problem: { type: '/problems/concurrent-write' } });
  });

  it('answers an invalid append with 400, a duplicate event id with 409', () => {
    expect(answerFor(new InvalidAppendError('not JSON'), plain)).toMatchObject({ status: 400, problem: { errors: [] } });
    expect(answerFor(new DuplicateEventIdError('s', ['e']), plain).status).toBe(409);
  });

  it.each([
    ['the event store', new EventStoreUnavailableError('down')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a wrapped one', new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })],
    ['PostgreSQL shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a lost PostgreSQL connection', new Error('Connection terminated unexpectedly')],
    ['a busy SQLite file', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    ['Nest', new ServiceUnavailableException()],
  ])('answers %s being down with 503 and Retry-After, not to be stored', (_case, error) => {
    const answer = answerFor(error, plain);
    expect(answer).toMatchObject({ status: 503, final: false, headers: { 'Retry-After': '5' } });
    expect(answer.problem.detail).not.toMatch(/5432|ECONN|SQLITE/);
  });

  it('answers an HTTP exception with its status and message', () => {
    expect(answerFor(new NotFoundException('Cannot GET /nowhere'), plain)).toMatchObject({
      status: 404,
      problem: { type: 'about:blank', title: 'Not Found', detail: 'Cannot GET /nowhere' },
    });
    expect(answerFor(new HttpException('Request body is too large', 413), plain).problem).toMatchObject({
      status: 413,
      title: 'Payload Too Large',
    });
  });

  it('answers malformed JSON with 400', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected token } in JSON'), { statusCode: 400 });
    expect(answerFor(parseError, plain).problem).toMatchObject({ status: 400, type: '/problems/malformed-json', errors: [] });
    expect(answerFor(new BadRequestException('x', { cause: parseError }), plain).problem.type).toBe('/problems/malformed-json');
  });

  it('answers its own problems as they are', () => {
    expect(answerFor(new ProblemError(422, 'reused', 'Reused', 'used before'), plain).problem).toEqual({
      type: '/problems/reused',
      title: 'Reused',
      status: 422,
      detail: 'used before',
    });
  });

  it('answers anything else with a 500 that tells nothing but an id to find it by', () => {
    const answer = answerFor(new TypeError("Cannot read properties of undefined (reading 'secret')"), plain);
    expect(answer).toMatchObject({ status: 500, final: false, unexpected: true });
    expect(answer.problem.detail).not.toMatch(/secret|TypeError/);
    expect(answer.problem.instance).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(answer.problem.detail).toContain(answer.problem.instance!.slice('urn:uuid:'.length));
    expect(answerFor(new HttpException('internal detail', 500), plain)).toMatchObject({ status: 500, unexpected: true });
    expect(answerFor('a thrown string', plain).status).toBe(500);
  });
});
