import { HttpException } from '@nestjs/common';
import { isDomainError, type DomainError, type DomainErrorCode } from '@jobstream/domain';
import { ConcurrencyError, EventTooLargeError, InvalidEventError } from '@jobstream/event-store';
import { ApiError, errorBody, type ApiErrorBody } from './api-error';

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ILLEGAL_TRANSITION: 409,
  NOT_OWNER: 409,
  INVALID_ARGUMENT: 400,
};

/** INVALID_ARGUMENT names its field in details.field; older guards only put the offending value under its name. */
function fieldOf(error: DomainError): string | undefined {
  if (typeof error.details.field === 'string') return error.details.field;
  return Object.keys(error.details)[0];
}

function fromDomain(error: DomainError): ApiErrorBody {
  const status = DOMAIN_STATUS[error.code];
  if (status !== 400) return errorBody(status, error.message);
  const field = fieldOf(error) ?? '(body)';
  return errorBody(400, error.message, { field, errors: [{ field, message: error.message }] });
}

/** body-parser marks its failures with `type`; its own messages would leak parser internals. */
export interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string' && 'status' in error;

export function fromBodyParser(error: BodyParserError): ApiError {
  switch (error.type) {
    case 'entity.too.large':
      return new ApiError(413, `request body is larger than the ${error.limit ?? 'configured'}-byte limit`);
    case 'entity.parse.failed':
      return ApiError.badRequest('(body)', 'malformed JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'unsupported body encoding or charset: send UTF-8 JSON');
    default:
      return new ApiError(error.status ?? 400, 'the request body could not be read');
  }
}

/**
 * Turns anything thrown while serving a request into the public error shape. `internal` is set when
 * the failure is ours (5xx) so the caller logs it; the body then says nothing about internals.
 */
export function toErrorBody(error: unknown): { body: ApiErrorBody; internal: boolean } {
  if (error instanceof ApiError) return { body: error.toBody(), internal: error.statusCode >= 500 };
  if (isDomainError(error)) return { body: fromDomain(error), internal: false };
  // handleCommand retries conflicts; one that survives every retry is a contended job, not a server fault.
  if (error instanceof ConcurrencyError) return { body: errorBody(409, 'the job changed concurrently; try again'), internal: false };
  if (error instanceof EventTooLargeError) return { body: errorBody(413, `the event would be ${error.bytes} bytes, over the ${error.limit}-byte limit`), internal: false };
  if (error instanceof InvalidEventError) {
    return { body: errorBody(400, error.message, { field: error.field, errors: [{ field: error.field, message: error.message }] }), internal: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { body: errorBody(status, error.message), internal: status >= 500 };
  }
  if (isBodyParserError(error)) return { body: fromBodyParser(error).toBody(), internal: false };
  return { body: errorBody(500, 'internal error'), internal: true };
}
