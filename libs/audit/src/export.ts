import type { DomainEvent } from '@jobstream/domain';
import { walkLog, type LogLocation } from './log-reader';

export interface ExportOptions {
  tenant: string;
  /** Inclusive lower bound on occurredAt (ISO-8601). */
  from?: string;
  /** Exclusive upper bound on occurredAt (ISO-8601). */
  to?: string;
  /** Receives each NDJSON line, newline included. */
  write: (line: string) => void | Promise<void>;
  onStart?: (total: number) => void;
  onProgress?: (done: number) => void;
}

/**
 * Writes a tenant's events as stored (no upcasting: the hashes cover the stored form), one JSON object per line,
 * in log order, keeping those whose occurredAt is in [from, to). A third party checks each line with the hash
 * rule of docs/audit.md and each stream's links between consecutive lines.
 */
export async function exportEvents(location: LogLocation, options: ExportOptions): Promise<{ events: number; lastSeq: number }> {
  const from = options.from === undefined ? -Infinity : Date.parse(options.from);
  const to = options.to === undefined ? Infinity : Date.parse(options.to);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new Error('from/to must be ISO-8601 date-times');
  let events = 0;
  let done = 0;
  const walked = await walkLog(location, {
    tenant: options.tenant,
    onStart: options.onStart,
    onCommit: async (commit) => {
      options.onProgress?.(++done);
      const stored = JSON.parse(Buffer.from(commit.data).toString('utf8')) as DomainEvent[];
      let lines = '';
      for (const event of stored) {
        const at = Date.parse(event.occurredAt);
        if (at < from || at >= to) continue;
        lines += JSON.stringify(event) + '\n';
        events++;
      }
      if (lines) await options.write(lines);
    },
  });
  return { events, lastSeq: walked.lastSeq };
}
