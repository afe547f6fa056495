import type { CommittedBatch } from './port';

/** A retry's back-off that stop() can cut short: it sets `signal.cancel`, which ends the wait at once. */
export function cancellableDelay(ms: number, signal: { cancel?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.cancel = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/**
 * The port's promise for a handler that rejects a commit: the same commit again, backing off up to 1 s,
 * never skipped. True once the handler took it; false when the subscription stopped first.
 */
export async function deliverUntilTaken(
  handler: (batch: CommittedBatch) => Promise<void>,
  batch: CommittedBatch,
  stopping: () => boolean,
  pause: { cancel?: () => void },
): Promise<boolean> {
  for (let attempt = 0; !stopping(); attempt++) {
    try {
      await handler(batch);
      return true;
    } catch {
      await cancellableDelay(Math.min(1000, 10 * 2 ** attempt), pause);
    }
  }
  return false;
}
