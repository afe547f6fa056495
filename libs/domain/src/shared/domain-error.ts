/**
 * A command the current state does not allow. Typed so that callers map it to a status code
 * (409 for an illegal transition, 404 for an unknown aggregate) without parsing messages.
 */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ILLEGAL_TRANSITION'
  | 'NOT_OWNER'
  | 'INVALID_ARGUMENT';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (value: unknown): value is DomainError => value instanceof DomainError;
