import { MinHeap } from '../timers/min-heap';

interface Held<T> {
  streamId: string;
  dueAt: number;
  item: T;
}

/**
 * Work items held back until a due time, one per job stream (a sync job's submit until its caller's
 * deadline). Any later event of the stream ends the hold: the sync path started the job, or it was
 * cancelled or deleted, or it became runnable again by an event dispatched on its own. No I/O and no
 * clock: the dispatcher asks what is due.
 */
export class SyncHolds<T> {
  private readonly byStream = new Map<string, Held<T>>();
  /** Ended holds stay in the heap until they surface; `byStream` says which entries still count. */
  private readonly heap = new MinHeap<Held<T>>((held) => held.dueAt);

  get size(): number {
    return this.byStream.size;
  }

  hold(streamId: string, dueAt: number, item: T): void {
    const held = { streamId, dueAt, item };
    this.byStream.set(streamId, held);
    this.heap.push(held);
  }

  /** The stream moved on: returns the item it held, if any, which must not be dispatched. */
  end(streamId: string): T | undefined {
    const held = this.byStream.get(streamId);
    if (held === undefined) return undefined;
    this.byStream.delete(streamId);
    return held.item;
  }

  /** Removes and returns, oldest due first, the items due at `now`. */
  takeDue(now: number): T[] {
    const due: T[] = [];
    for (let top = this.live(); top !== undefined && top.dueAt <= now; top = this.live()) {
      this.heap.pop();
      this.byStream.delete(top.streamId);
      due.push(top.item);
    }
    return due;
  }

  /** When the earliest hold falls due; undefined when nothing is held. */
  nextDueAt(): number | undefined {
    return this.live()?.dueAt;
  }

  private live(): Held<T> | undefined {
    let top = this.heap.peek();
    while (top !== undefined && this.byStream.get(top.streamId) !== top) {
      this.heap.pop();
      top = this.heap.peek();
    }
    return top;
  }
}
