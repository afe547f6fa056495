/**
 * Lets a log reader keep many slow side effects (publishes) in flight while the checkpoint only
 * ever advances past positions whose effects, and every earlier one's, have completed. A crash then
 * replays at most the window, never skips an effect.
 */
export class InFlightWindow {
  private readonly order: { position: string; done: boolean }[] = [];
  /** Index of the oldest position not yet committed: held effects can keep many behind it. */
  private head = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly limit: number,
    private readonly onCommitted: (position: string) => void,
  ) {}

  /** Registers the effects of one position; resolves once there is room for more. */
  async add(position: string, effect: Promise<unknown>): Promise<void> {
    const tracked = this.register(position, effect);
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    while (this.running.size >= this.limit) await Promise.race(this.running);
  }

  /**
   * Registers effects that wait on purpose (a sync job's dispatch held until its deadline): they keep
   * the checkpoint behind them but take no room in the window, and drain() does not wait for them;
   * after a restart the reader replays them from the checkpoint.
   */
  hold(position: string, effect: Promise<unknown>): void {
    void this.register(position, effect);
  }

  /** Waits for every effect registered with add() so far. */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private register(position: string, effect: Promise<unknown>): Promise<void> {
    const entry = { position, done: false };
    this.order.push(entry);
    return effect.then(
      () => {
        entry.done = true;
        this.advance();
      },
      // Effects retry until they succeed; one that gives up holds the checkpoint back for good,
      // so the position is replayed after a restart.
      () => undefined,
    );
  }

  private advance(): void {
    const order = this.order;
    let committed: string | undefined;
    while (this.head < order.length && order[this.head].done) committed = order[this.head++].position;
    // Compact in bulk: shifting one by one is quadratic once a held effect has queued thousands behind it.
    if (this.head > 1024 && this.head * 2 > order.length) {
      order.splice(0, this.head);
      this.head = 0;
    }
    if (committed !== undefined) this.onCommitted(committed);
  }
}
