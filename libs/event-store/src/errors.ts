import type { ExpectedRevision } from './port';

/** Someone else appended first: reload, decide again, retry. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual}`);
    this.name = 'ConcurrencyError';
  }
}

export class EventTooLargeError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`event ${eventId} on ${streamId} is ${bytes} bytes, over the ${limit}-byte limit`);
    this.name = 'EventTooLargeError';
  }
}

/** An event that is not well-formed; `field` names the first offending field. */
export class InvalidEventError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid event: ${field} ${reason}`);
    this.name = 'InvalidEventError';
  }
}
