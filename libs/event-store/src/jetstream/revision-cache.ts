/** Where a stream's last commit sits: its last event revision and the JetStream sequence of that commit. */
export interface StreamTip {
  lastRevision: number;
  seq: number;
  /** The last event's hash, where the next append's chain continues; absent when unknown. */
  hash?: string;
}

/**
 * Bounded streamId → tip map. Map keeps insertion order, so re-inserting on write and evicting the
 * first keys approximates LRU without bookkeeping on reads (the append hot path). Eviction drops the oldest
 * tenth in one pass: taking one key at a time from the front would rescan V8's deleted slots on every insert.
 */
export class RevisionCache {
  private readonly tips = new Map<string, StreamTip>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): StreamTip | undefined {
    return this.tips.get(streamId);
  }

  /** Never moves a tip backwards: late answers from lookups must not undo a newer append. */
  remember(streamId: string, tip: StreamTip): void {
    const current = this.tips.get(streamId);
    if (current !== undefined) {
      if (current.seq >= tip.seq) return;
      this.tips.delete(streamId);
    } else if (this.tips.size >= this.capacity) {
      let evict = Math.max(1, Math.ceil(this.capacity / 10));
      for (const key of this.tips.keys()) {
        this.tips.delete(key);
        if (--evict === 0) break;
      }
    }
    this.tips.set(streamId, tip);
  }

  forget(streamId: string): void {
    this.tips.delete(streamId);
  }
}
