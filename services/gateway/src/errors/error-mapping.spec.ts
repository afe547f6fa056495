import { DomainError } from '@jobstream/domain';
import { ConcurrencyError, EventTooLargeError } from '@jobstream/event-store';
import { ApiError } from './api-error';
import { toErrorBody } from './error-mapping';

describe('toErrorBody', () => {
  it.each([
    ['NOT_FOUND', 404, 'Not Found'],
    ['ALREADY_EXISTS', 409, 'Conflict'],
    ['ILLEGAL_TRANSITION', 409, 'Conflict'],
    ['NOT_OWNER', 409, 'Conflict'],
  ] as const)('maps DomainError %s to %i', (code, statusCode, error) => {
    expect(toErrorBody(new DomainError(code, 'nope'))).toEqual({ body: { statusCode, error, message: 'nope' }, internal: false });
  });

  it('maps INVALID_ARGUMENT to 400 naming details.field', () => {
    const { body } = toErrorBody(new DomainError('INVALID_ARGUMENT', 'percent must be within 0..100', { field: 'percent' }));
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'percent must be within 0..100',
      field: 'percent',
      errors: [{ field: 'percent', message: 'percent must be within 0..100' }],
    });
  });

  it('maps store failures the caller can act on, and hides everything else behind a 500', () => {
    expect(toErrorBody(new ConcurrencyError('acme.job.j1', 3, 4)).body.statusCode).toBe(409);
    expect(toErrorBody(new EventTooLargeError('acme.job.j1', 'e1', 2_000_000, 1_048_576)).body.statusCode).toBe(413);
    expect(toErrorBody(new ApiError(503, 'down'))).toEqual({ body: { statusCode: 503, error: 'Service Unavailable', message: 'down' }, internal: true });
    expect(toErrorBody(new Error('secret internals'))).toEqual({
      body: { statusCode: 500, error: 'Internal Server Error', message: 'internal error' },
      internal: true,
    });
  });
});
