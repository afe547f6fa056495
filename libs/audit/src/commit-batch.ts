import type { RawCommit } from './log-reader';

/**
 * Commits packed for the projection worker: their JSON bodies joined into one JSON array (so the worker decodes
 * and parses a thousand commits in one call each) in a buffer that is transferred, not copied, plus each commit's
 * sequence and first revision. A commit body is the event store's JSON array of events.
 */
export interface CommitBatch {
  json: ArrayBuffer;
  /** Bytes of `json` in use. */
  length: number;
  /** Per commit: sequence, first revision. */
  meta: Float64Array;
  commits: number;
}

const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]

export class CommitBatchWriter {
  private json = new Uint8Array(1 << 20);
  private length = 0;
  private meta: number[] = [];

  get commits(): number {
    return this.meta.length / 2;
  }

  add(commit: RawCommit): void {
    const need = this.length + commit.data.length + 2;
    if (need > this.json.length) {
      const grown = new Uint8Array(Math.max(need, this.json.length * 2));
      grown.set(this.json.subarray(0, this.length));
      this.json = grown;
    }
    this.json[this.length++] = this.meta.length === 0 ? OPEN : COMMA;
    this.json.set(commit.data, this.length);
    this.length += commit.data.length;
    this.meta.push(commit.seq, commit.firstRevision);
  }

  /** The batch so far, its buffer handed over; the writer starts a new one. */
  take(): CommitBatch {
    this.json[this.length++] = CLOSE;
    const batch: CommitBatch = { json: this.json.buffer, length: this.length, meta: Float64Array.from(this.meta), commits: this.commits };
    this.json = new Uint8Array(this.json.length);
    this.length = 0;
    this.meta = [];
    return batch;
  }
}
