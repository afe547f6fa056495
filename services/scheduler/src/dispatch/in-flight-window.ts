/**
 * Lets a log reader keep many slow side effects (publishes) in flight while the checkpoint only
 * ever advances past positions whose effects, and every earlier one's, have completed. A crash then
 * replays at most the window, never skips an effect.
 */
export class InFlightWindow {
  private readonly order: { position: string; done: boolean }[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly limit: number,
    private readonly onCommitted: (position: string) => void,
  ) {}

  /** Registers the effects of one position; resolves once there is room for more. */
  async add(position: string, effect: Promise<unknown>): Promise<void> {
    const entry = { position, done: false };
    this.order.push(entry);
    const tracked = effect.then(
      () => {
        entry.done = true;
        this.advance();
      },
      // Effects retry until they succeed; one that gives up holds the checkpoint back for good,
      // so the position is replayed after a restart.
      () => undefined,
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    while (this.running.size >= this.limit) await Promise.race(this.running);
  }

  /** Waits for every effect registered so far. */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private advance(): void {
    let committed: string | undefined;
    while (this.order.length > 0 && this.order[0].done) committed = this.order.shift()!.position;
    if (committed !== undefined) this.onCommitted(committed);
  }
}
