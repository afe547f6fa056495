import { CliError, type GatewayClient } from '../client';
import { jobPath } from './http';

/** One event of a job, as the history and the SSE stream carry it. */
export interface JobEventEntry {
  revision: number;
  type: string;
  occurredAt: string;
  actor: string;
  correlationId: string;
  data: Record<string, unknown> | null;
}

export interface JobSnapshot {
  jobId: string;
  type: string;
  status: string;
  progress: { percent: number; message: string };
  attempt: number;
  executorId: string | null;
  lastError: { message: string } | null;
}

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const POLL_MS = 1000;

/** Parses `text/event-stream` blocks out of a stream of text chunks. */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

/**
 * Every event of a job, then each new one, until the job settles (COMPLETED, FAILED, CANCELLED or
 * deleted): the gateway's SSE stream, or, when that is not available, the history polled every second.
 * Resolves with the job as it ended (null if it was deleted).
 */
export async function followJob(
  client: GatewayClient,
  jobId: string,
  onEvent: (e: JobEventEntry) => void,
): Promise<JobSnapshot | null> {
  let seen = -1;
  const deliver = (e: JobEventEntry) => {
    if (e.revision <= seen) return;
    seen = e.revision;
    onEvent(e);
  };
  try {
    const res = await fetch(client.url(`${jobPath(jobId)}/events`), { headers: client.headers({ accept: 'text/event-stream' }) });
    if (res.status === 404) throw new CliError(`GET ${jobPath(jobId)}/events failed with 404: no job ${jobId}`);
    if (res.ok && res.body) {
      for await (const e of sseEvents(res.body)) deliver(JSON.parse(e.data) as JobEventEntry);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    // The stream broke (proxy, restart): the polling below carries on from the last revision seen.
  }
  for (;;) {
    const history = await client.request<{ events: JobEventEntry[] }>('GET', `${jobPath(jobId)}/history`).catch((error: CliError) => {
      if (/failed with 404/.test(error.message)) return null;
      throw error;
    });
    if (history === null) return null;
    history.events.forEach(deliver);
    if (history.events.some((e) => e.type === 'job.deleted')) return null;
    const job = await client.request<JobSnapshot>('GET', jobPath(jobId));
    if (TERMINAL.has(job.status)) return job;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A few words on what an event says. */
export function describe(e: JobEventEntry): string {
  const d = e.data ?? {};
  switch (e.type) {
    case 'job.progressed':
      return `${d.percent}%${d.message ? ` ${d.message}` : ''}`;
    case 'job.started':
    case 'job.resumed':
      return `on ${d.executorId}`;
    case 'job.failed':
      return String(d.message ?? '');
    case 'job.retried':
      return `attempt ${d.attempt}, not before ${d.notBefore}`;
    case 'job.cancel-requested':
    case 'job.cancelled':
      return d.reason ? String(d.reason) : '';
    default:
      return '';
  }
}
