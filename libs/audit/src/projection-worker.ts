/**
 * The projection thread of a replay (see projection-thread.ts): decodes the packed commits it is sent, folds
 * them through the projector's code into its own connection to the rebuild's SQLite file, and reports progress
 * per batch so the walk can keep a bounded number of batches in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DomainEvent } from '@jobstream/domain';
import type { CommittedBatch } from '@jobstream/event-store';
import type { CommitBatch } from './commit-batch';
import type { ProjectionReport, ProjectionWorkerData } from './projection-thread';
import { committedBatch, ReadModelRebuild } from './rebuild';
import { untilFilter } from './until-filter';

const { path, until, groupSize } = workerData as ProjectionWorkerData;
const port = parentPort as NonNullable<typeof parentPort>;
const rebuild = new ReadModelRebuild(path);
const keep = untilFilter(until);
const decoder = new TextDecoder();
let group: CommittedBatch[] = [];

port.on('message', (message: CommitBatch | 'end') => {
  if (message === 'end') {
    rebuild.apply(group);
    rebuild.close();
    port.postMessage({ kind: 'done', eventsApplied: rebuild.eventsApplied, position: rebuild.position } satisfies ProjectionReport);
    return;
  }
  const bodies = JSON.parse(decoder.decode(new Uint8Array(message.json, 0, message.length))) as DomainEvent[][];
  let events = 0;
  for (let i = 0; i < bodies.length; i++) {
    const decoded = committedBatch(bodies[i], message.meta[2 * i], message.meta[2 * i + 1]);
    events += decoded.events.length;
    const batch = keep ? keep(decoded) : decoded;
    if (batch) group.push(batch);
    if (group.length >= groupSize) {
      rebuild.apply(group);
      group = [];
    }
  }
  port.postMessage({ kind: 'progress', commits: bodies.length, events } satisfies ProjectionReport);
});
