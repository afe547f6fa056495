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
