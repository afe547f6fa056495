import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { connect, type NatsConnection } from 'nats';
import type { Command } from 'commander';
import type { LogLocation } from '@jobstream/audit';
import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';

/**
 * The replay and audit commands are operator tools: they read the log straight from JetStream (NATS_URL,
 * EVENT_STREAM_NAME, EVENT_SUBJECT_PREFIX, as the services do), because they must see what is stored, not what
 * the gateway makes of it.
 */
export async function withLog<T>(work: (location: LogLocation, store: () => Promise<EventStore>) => Promise<T>): Promise<T> {
  const config = loadEventStoreConfig();
  if (config.kind !== 'jetstream') throw new Error('replay and audit read the JetStream event store directly: EVENT_STORE must be jetstream');
  const nc: NatsConnection = await connect({ servers: config.natsUrl.split(',').map((s) => s.trim()) });
  let store: EventStore | undefined;
  try {
    return await work({ nc, streamName: config.streamName, subjectPrefix: config.subjectPrefix }, async () => (store ??= await createEventStore(config, { nats: nc })));
  } finally {
    await store?.close();
    await nc.close();
  }
}

/** The tenant only when given by flag or environment: without one, audit commands cover every tenant. */
export function explicitTenant(program: Command): string | undefined {
  return (program.opts().tenant as string | undefined) ?? process.env.JOBSTREAM_TENANT;
}

export interface Progress {
  start(total: number): void;
  update(done: number, events?: number): void;
  stop(): void;
}

/**
 * Commits done and events/s on stderr, so stdout stays the result: a bar on a terminal, a plain line every
 * two seconds otherwise (logs, CI).
 */
export function progress(label: string): Progress {
  const began = Date.now();
  let events = 0;
  let total = 0;
  const rate = () => Math.round(events / Math.max(0.001, (Date.now() - began) / 1000));
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} commits | {rate} events/s | {duration_formatted}`, stream: process.stderr, hideCursor: true },
    );
    let started = false;
    return {
      start: (n) => {
        total = n;
        bar.start(n, 0, { rate: 0 });
        started = true;
      },
      update: (done, e) => {
        events = e ?? done;
        if (started && (done === total || done % 1000 === 0)) bar.update(done, { rate: rate() });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let last = began;
  let done = 0;
  const line = () => process.stderr.write(`${label}: ${done}/${total} commits, ${events} events, ${rate()} events/s\n`);
  return {
    start: (n) => (total = n),
    update: (d, e) => {
      done = d;
      events = e ?? d;
      if (Date.now() - last >= 2000) {
        last = Date.now();
        line();
      }
    },
    stop: () => {
      if (total > 0) line();
    },
  };
}

/** A scratch directory removed afterwards, whatever happens. */
export async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'jobstream-replay-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
