/** A payload the handler cannot run with; the message names the field, e.g. `payload.url must be ...`. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';

  constructor(
    readonly field: string,
    rule: string,
  ) {
    super(`payload.${field} ${rule}`);
  }
}

/**
 * Thrown when `ctx.signal` aborts a handler that has no result to give: the name matches the
 * DOMException that fetch and timers throw, so the runtime can treat both alike as a cancel.
 */
export class AbortError extends Error {
  override readonly name = 'AbortError';

  constructor(message = 'job aborted', options?: ErrorOptions) {
    super(message, options);
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortError('job aborted', { cause: signal.reason });
}

/** Resolves when the signal aborts (at once if it already has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Waits `ms`, or throws AbortError as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortError('job aborted', { cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('job aborted', { cause: signal.reason }));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
