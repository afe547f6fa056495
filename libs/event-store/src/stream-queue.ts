/**
 * Runs appends to the same stream one after another, in call order, while different streams run in parallel.
 * A caller may pipeline appends to one stream (expected revision n, then n+1, ...) without awaiting each:
 * the next one must only be sent once the previous one is stored. No global lock: an idle stream costs one
 * Map lookup, and the chain is dropped as soon as its last append settles.
 */
export class StreamQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(streamId: string, task: () => Promise<T>): Promise<T> {
    const tail = this.tails.get(streamId);
    const result = tail === undefined ? task() : tail.then(task, task);
    this.tails.set(streamId, result);
    const release = () => {
      if (this.tails.get(streamId) === result) this.tails.delete(streamId);
    };
    result.then(release, release);
    return result;
  }

  /** Resolves when every append queued so far has settled. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.tails.values()]);
  }
}
