/** Where the previous page ended; opaque to clients so the key can change without breaking them. */
export interface JobCursor {
  submittedAt: string;
  jobId: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API returned');
    this.name = 'InvalidCursorError';
  }
}

export const encodeCursor = (c: JobCursor): string => Buffer.from(JSON.stringify([c.submittedAt, c.jobId])).toString('base64url');

export function decodeCursor(cursor: string): JobCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((p) => typeof p === 'string' && p !== '')) {
    throw new InvalidCursorError();
  }
  return { submittedAt: parsed[0], jobId: parsed[1] };
}
