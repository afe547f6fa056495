/** Where a stream's last commit sits: its last event revision and the JetStream sequence of that commit. */
export interface StreamTip {
  lastRevision: number;
  seq: number;
}

/**
 * Bounded streamId → tip map. Map keeps insertion order, so re-inserting on write and evicting the
 * first key approximates LRU without bookkeeping on reads (the append hot path).
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
      const oldest = this.tips.keys().next().value;
      if (oldest !== undefined) this.tips.delete(oldest);
    }
    this.tips.set(streamId, tip);
  }

  forget(streamId: string): void {
    this.tips.delete(streamId);
  }
}
