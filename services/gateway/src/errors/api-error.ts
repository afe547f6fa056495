import { STATUS_CODES } from 'node:http';
import type { FieldError } from '@jobstream/contracts';

/** The one error shape every route and the NATS submit answer with. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** The first offending field, when the request itself was at fault. */
  field?: string;
  /** Every offending field, when validation found several. */
  errors?: FieldError[];
}

/** A rejection decided by the gateway itself; carries its status so the mapping never guesses. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: { field?: string; errors?: FieldError[] } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(field: string, message: string): ApiError {
    return new ApiError(400, message, { field, errors: [{ field, message }] });
  }

  /** The first error names the field; all of them travel so a client can mark every bad input at once. */
  static invalid(errors: FieldError[]): ApiError {
    const first = errors[0] ?? { field: '(body)', message: 'invalid request' };
    return new ApiError(400, `${first.field}: ${first.message}`, { field: first.field, errors });
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, message);
  }

  toBody(): ApiErrorBody {
    return errorBody(this.statusCode, this.message, this.details);
  }
}

export function errorBody(statusCode: number, message: string, details: { field?: string; errors?: FieldError[] } = {}): ApiErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(details.field !== undefined && { field: details.field }),
    ...(details.errors !== undefined && details.errors.length > 0 && { errors: details.errors }),
  };
}
