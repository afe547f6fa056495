import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';
import { JetStreamEventStore } from '@jobstream/event-store';
import { BenchRow, startNatsServer } from '@jobstream/testing';
import { connectForService } from '@jobstream/messaging';
import { headers, NatsConnection } from 'nats';

const APPENDS = 20_000;
const IN_FLIGHT = 64;

function smallEvent(streamId: string): DomainEvent {
  return {
    eventId: randomUUID(),
    type: 'job.submitted',
    schemaVersion: 1,
    streamId,
    tenant: 'bench',
    occurredAt: '2025-01-02T03:04:05.000Z',
    correlationId: 'bench-correlation',
    causationId: null,
    actor: 'service:bench',
    data: { definitionId: 'nightly-report', priority: 5 },
  };
}

/** Runs `count` operations with at most `concurrency` in flight; returns operations per second. */
async function rate(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const ROUNDS = 8;

/**
 * Adapter and raw publishes alternate in rounds on the same server so that load from anything else on the
 * machine hits both alike. Every append goes to a stream nobody used before ('no_stream' to a new subject).
 */
async function measure(nc: NatsConnection, store: JetStreamEventStore, run: string, concurrency: number) {
  const js = nc.jetstream();
  const encoder = new TextEncoder();
  const perRound = APPENDS / ROUNDS;
  let adapterSeconds = 0;
  let rawSeconds = 0;
  let rawWithHeadersSeconds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const events = Array.from({ length: perRound }, (_, i) => smallEvent(`bench.job.${run}-${round}-a${i}`));
    adapterSeconds += perRound / (await rate(perRound, concurrency, (i) => store.append(events[i].streamId, [events[i]], 'no_stream')));

    // The same bytes the adapter sends as a body: a one-event JSON array, to a fresh subject.
    const bodies = Array.from({ length: perRound }, (_, i) => {
      const event = smallEvent(`bench.job.${run}-${round}-r${i}`);
      return { subject: `es.${event.streamId}`, body: encoder.encode(JSON.stringify([event])) };
    });
    rawSeconds += perRound / (await rate(perRound, concurrency, (i) => js.publish(bodies[i].subject, bodies[i].body)));

    // The same bytes plus the headers the design needs (dedup id, expected sequence, revision, count): this
    // separates the server's cost of those headers from the adapter's own cost.
    const withHeaders = Array.from({ length: perRound }, (_, i) => {
      const event = smallEvent(`bench.job.${run}-${round}-h${i}`);
      return { subject: `es.${event.streamId}`, body: encoder.encode(JSON.stringify([event])), id: event.eventId };
    });
    rawWithHeadersSeconds +=
      perRound /
      (await rate(perRound, concurrency, (i) => {
        const h = headers();
        h.set('Es-First-Revision', '0');
        h.set('Es-Event-Count', '1');
        const { subject, body, id } = withHeaders[i];
        return js.publish(subject, body, { headers: h, msgID: id, expect: { lastSubjectSequence: 0 } });
      }));
  }
  return { adapter: APPENDS / adapterSeconds, raw: APPENDS / rawSeconds, rawWithHeaders: APPENDS / rawWithHeadersSeconds };
}

export async function bench(): Promise<{ title: string; rows: BenchRow[] }[]> {
  const server = await startNatsServer();
  // As the services connect (libs/messaging connectForService), for both sides.
  const nc = await connectForService({ servers: server.url });
  try {
    const store = await JetStreamEventStore.start(nc, { streamName: 'BENCH_EVENTS' });
    // Warm up JIT, connection buffers and the file store before measuring.
    await measure(nc, store, 'warmup', IN_FLIGHT);

    const rows: BenchRow[] = [];
    for (const concurrency of [1, IN_FLIGHT]) {
      const { adapter, raw, rawWithHeaders } = await measure(nc, store, `c${concurrency}`, concurrency);
      rows.push({
        'in flight': concurrency,
        appends: APPENDS,
        'adapter appends/s': Math.round(adapter),
        'raw js.publish/s': Math.round(raw),
        'adapter / raw': Number((adapter / raw).toFixed(2)),
        target: concurrency === IN_FLIGHT ? '>= 0.8' : '',
        'raw + same headers/s': Math.round(rawWithHeaders),
        'adapter / raw + headers': Number((adapter / rawWithHeaders).toFixed(2)),
      });
    }
    await store.close();
    return [{ title: `Event store: JetStream append of one small event to ${APPENDS.toLocaleString('en-US')} new streams (nats-server, file storage)`, rows }];
  } finally {
    await nc.close();
    await server.stop();
  }
}
