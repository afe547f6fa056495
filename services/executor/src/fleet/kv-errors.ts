/** create() on a live key and update() with a stale revision both fail with "wrong last sequence" (10071). */
export function isWrongRevision(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /wrong last sequence|key exists/i.test(message) || (error as { api_error?: { err_code?: number } })?.api_error?.err_code === 10071;
}

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
