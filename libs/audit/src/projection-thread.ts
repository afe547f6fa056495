import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CommitBatchWriter } from './commit-batch';
import type { RawCommit } from './log-reader';

export interface ProjectionWorkerData {
  path: string;
  until?: string;
  groupSize: number;
}

export type ProjectionReport =
  | { kind: 'progress'; commits: number; events: number }
  | { kind: 'done'; eventsApplied: number; position: string | null };

/** Commits per message to the worker: few enough messages that posting costs nothing, small enough to overlap. */
const BATCH_COMMITS = 1000;
/**
 * Batches sent but not yet projected before the walk waits: bounds memory (some 10 MB) when the projection is
 * the slower side, yet lets the walk run on while the worker thread starts up.
 */
const MAX_IN_FLIGHT = 16;

/**
 * The projection half of a replay on a second thread, so that decoding and SQLite run on another core while
 * this one walks the log. Commits are packed in batches (commit-batch.ts) and handed over without copying.
 */
export class ProjectionThread {
  commits = 0;
  events = 0;
  private readonly worker: Worker;
  private readonly writer = new CommitBatchWriter();
  private inFlight = 0;
  private waiting: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private failure: unknown = null;
  private readonly done: Promise<Extract<ProjectionReport, { kind: 'done' }>>;

  constructor(data: ProjectionWorkerData, onProgress?: (commits: number, events: number) => void) {
    this.worker = spawn(data);
    this.done = new Promise((resolve, reject) => {
      const fail = (error: unknown) => {
        this.failure = error;
        this.waiting?.reject(error);
        this.waiting = null;
        reject(error);
      };
      this.worker.on('message', (report: ProjectionReport) => {
        if (report.kind === 'done') return resolve(report);
        this.commits += report.commits;
        this.events += report.events;
        this.inFlight--;
        onProgress?.(this.commits, this.events);
        this.waiting?.resolve();
        this.waiting = null;
      });
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`the replay's projection thread exited (code ${code}) before it finished`)));
    });
    this.done.catch(() => undefined);
  }

  /** Queues one commit; a returned promise means the worker is behind and the walk should wait for it. */
  add(commit: RawCommit): void | Promise<void> {
    if (this.failure) throw this.failure;
    this.writer.add(commit);
    if (this.writer.commits < BATCH_COMMITS) return;
    this.send();
    if (this.inFlight < MAX_IN_FLIGHT) return;
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Projects what is queued, commits the last group and closes the worker's connection. */
  async finish(): Promise<Extract<ProjectionReport, { kind: 'done' }>> {
    if (this.writer.commits > 0) this.send();
    this.worker.postMessage('end');
    const report = await this.done;
    await this.worker.terminate();
    return report;
  }

  /** Ends the worker at once (the walk failed); what it wrote is a scratch file's partial content. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private send(): void {
    const batch = this.writer.take();
    this.inFlight++;
    this.worker.postMessage(batch, [batch.json, batch.meta.buffer as ArrayBuffer]);
  }
}

/**
 * The worker runs projection-worker next to this file: the compiled .js in a build; from sources (jest, the
 * benchmarks) the .ts, through the same SWC loader, which a worker thread does not inherit from jest.
 */
function spawn(workerData: ProjectionWorkerData): Worker {
  const entry = join(__dirname, `projection-worker${extname(__filename)}`);
  if (entry.endsWith('.js')) return new Worker(entry, { workerData });
  return new Worker(`require('@swc-node/register'); require(${JSON.stringify(entry)});`, { eval: true, workerData });
}
