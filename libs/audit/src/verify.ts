import type { DomainEvent } from '@jobstream/domain';
import { ChainVerifier, type Finding } from './chain-verifier';
import { CHECKPOINT_EVENT_TYPE, type CheckpointData } from './checkpoints';
import { walkLog, type LogLocation } from './log-reader';

export interface VerifyReport {
  findings: Finding[];
  commits: number;
  events: number;
  checkpoints: number;
  lastSeq: number;
}

/**
 * Walks the whole log (or one tenant's part of it) from the start to its end as of now and reports every
 * edited, removed, reordered or inserted event. Two passes: the checkpoints first (few), then every commit.
 */
export async function verifyLog(
  location: LogLocation,
  options: { tenant?: string; onStart?: (total: number) => void; onProgress?: (done: number) => void } = {},
): Promise<VerifyReport> {
  const verifier = new ChainVerifier();
  const checkpoints = new Map<string, { data: CheckpointData; seq: number }[]>();
  let checkpointCount = 0;
  await walkLog(location, {
    subjectFilter: `${options.tenant ?? '*'}.audit.checkpoints`,
    onCommit: (commit) => {
      let events: DomainEvent[];
      try {
        events = JSON.parse(Buffer.from(commit.data).toString('utf8')) as DomainEvent[];
      } catch {
        return; // the main pass reports it
      }
      for (const event of events) {
        if (event?.type !== CHECKPOINT_EVENT_TYPE) continue;
        const tenant = commit.streamId.split('.')[0];
        const list = checkpoints.get(tenant) ?? [];
        list.push({ data: event.data as CheckpointData, seq: commit.seq });
        checkpoints.set(tenant, list);
        checkpointCount++;
      }
    },
  });
  for (const [tenant, list] of checkpoints) verifier.expectCheckpoints(tenant, list);
  let done = 0;
  const walked = await walkLog(location, {
    tenant: options.tenant,
    onStart: options.onStart,
    onCommit: (commit) => {
      verifier.push(commit);
      options.onProgress?.(++done);
    },
  });
  const findings = verifier.finish();
  return { findings, commits: verifier.commits, events: verifier.events, checkpoints: checkpointCount, lastSeq: walked.lastSeq };
}
