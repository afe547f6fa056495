import type { RecordedEvent } from '@jobstream/event-store';

/** The stream's history has a hole: applying the event would build a row from missing facts. */
export class ProjectionGapError extends Error {
  constructor(streamId: string, expectedRevision: number, revision: number) {
    super(`${streamId}: expected revision ${expectedRevision} next, got ${revision}`);
    this.name = 'ProjectionGapError';
  }
}

/**
 * A row remembers how many events of its stream it folded (the state's `version`), so the next event must carry
 * exactly that revision. A lower one was applied already: delivery is at-least-once and a redelivered commit
 * must not count twice. A higher one means events were skipped, which must stop the projection rather than
 * show a wrong row.
 */
export function isNextRevision(version: number, recorded: RecordedEvent): boolean {
  if (recorded.revision < version) return false;
  if (recorded.revision > version) throw new ProjectionGapError(recorded.event.streamId, version, recorded.revision);
  return true;
}
