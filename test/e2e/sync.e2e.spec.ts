import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decideJob, initialJobState, streamIdOf } from '@jobstream/domain';
import type { EventStore } from '@jobstream/event-store';
import { freePort, RunningSystem, ServiceProcess, waitFor } from '@jobstream/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { getJson, postJson } from './http';
import { startSystemWithStore, type SystemWithStore } from './system-with-store';

jest.setTimeout(120_000);

const json = JSONCodec<Record<string, unknown>>();

interface HistoryEvent {
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** A self-signed certificate for 127.0.0.1, made now with openssl; returns its SHA-1 thumbprint. */
function makeCertificate(dir: string, name: string): string {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return new X509Certificate(readFileSync(join(dir, `${name}.crt`))).fingerprint.replace(/:/g, '');
}

interface HttpsAnswer {
  status: number;
  body: unknown;
  /** The TLS connection that carried the request, to tell a reused keep-alive socket from a new one. */
  socket: TLSSocket;
  thumbprint: string;
}

function httpsJson(port: number, path: string, options: { agent: Agent; ca: Buffer[]; method?: string; body?: unknown }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: options.agent,
        ca: options.ca,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        // Read now: a keep-alive socket goes back to the agent (res.socket = null) once the body ends.
        const socket = res.socket as TLSSocket;
        const thumbprint = socket.getPeerCertificate().fingerprint.replace(/:/g, '');
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, socket, thumbprint });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads an SSE stream to its end and returns the events' types. */
async function readEventStream(url: string): Promise<Array<{ event: string; data: { revision: number } }>> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: '))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))!.slice(7);
      const data = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6));
      return { event, data };
    });
}

describe('synchronous jobs end to end (real processes, real nats-server)', () => {
  let running: SystemWithStore;
  let system: RunningSystem;
  let store: EventStore;
  let nc: NatsConnection;
  let base: string;
  const history = async (jobId: string): Promise<HistoryEvent[]> => (await getJson(`${base}/jobs/${jobId}/history`)).body.events;

  beforeAll(async () => {
    running = await startSystemWithStore();
    ({ system, store } = running);
    nc = await connect({ servers: system.nats.url });
    base = `${system.gatewayUrl}/acme/api`;
  });

  afterAll(async () => {
    await nc?.close();
    await running?.stop();
  });

  it('answers 200 with the result of a sync job that finishes in time, recorded as mode sync', async () => {
    const res = await postJson(`${base}/jobs:run`, { type: 'echo', payload: { message: 'hi' }, timeoutMs: 10_000 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'COMPLETED', lastError: null });
    expect(Object.keys(res.body).sort()).toEqual(['jobId', 'jobVariables', 'lastError', 'output', 'status', 'workflowVariables']);
    const events = await history(res.body.jobId);
    expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    expect(events[0].data.mode).toBe('sync');

    const noop = await postJson(`${base}/jobs:run`, { type: 'noop' });
    expect(noop.status).toBe(200);
    expect(noop.body.status).toBe('COMPLETED');
  });

  it('falls back to async with 202 when the job outlasts timeoutMs, and the job completes later', async () => {
    const res = await postJson(`${base}/jobs:run`, { type: 'delay', payload: { delay: 'PT3S' }, timeoutMs: 500 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ mode: 'async-fallback', reason: 'timeout' });
    expect(res.headers.get('location')).toBe(`/acme/api/jobs/${res.body.jobId}`);
    await waitFor(async () => (await getJson(`${system.gatewayUrl}${res.body.links.done}`)).body.done === true, 20_000, 200);
    expect((await getJson(`${base}/jobs/${res.body.jobId}/done`)).body).toEqual({ done: true, status: 'COMPLETED' });
  });

  it('runs a sync job whose gateway died before asking an executor once its deadline has passed, not before', async () => {
    const jobId = `orphan-sync-${randomUUID()}`;
    const syncDeadline = new Date(Date.now() + 2_000).toISOString();
    const submitted = decideJob(
      { type: 'submit', jobId, jobType: 'noop', payload: null, mode: 'sync', syncDeadline },
      initialJobState,
      { tenant: 'acme', now: new Date(), newId: randomUUID, actor: 'test', correlationId: randomUUID(), causationId: null },
    );
    await store.append(streamIdOf('acme', 'job', jobId), submitted, 'no_stream');
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await getJson(`${base}/jobs/${jobId}/done`)).body).toEqual({ done: false, status: 'QUEUED' });
    await waitFor(async () => (await getJson(`${base}/jobs/${jobId}/done`)).body.done === true, 20_000, 100);
    const events = await history(jobId);
    expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    // Held until the deadline plus the dispatcher's margin.
    expect(Date.parse(events[1].occurredAt)).toBeGreaterThanOrEqual(Date.parse(syncDeadline));
  });

  it('rejects a timeoutMs out of range with 400 naming the field', async () => {
    const res = await postJson(`${base}/jobs:run`, { type: 'noop', timeoutMs: 10_000_000 });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('timeoutMs');
  });

  it('answers NATS request-reply on jobs.sync.<tenant>.<type> with the result, and with the fallback on a timeout', async () => {
    const done = json.decode((await nc.request('jobs.sync.acme.echo', json.encode({ payload: { n: 1 } }), { timeout: 10_000 })).data);
    expect(done).toMatchObject({ statusCode: 200, status: 'COMPLETED' });
    expect((await history(done.jobId as string))[0].data.mode).toBe('sync');

    const slow = json.decode(
      (await nc.request('jobs.sync.acme.delay', json.encode({ payload: { delay: 'PT2S' }, timeoutMs: 300 }), { timeout: 10_000 })).data,
    );
    expect(slow).toMatchObject({ statusCode: 202, mode: 'async-fallback', reason: 'timeout' });

    const wrong = json.decode((await nc.request('jobs.sync.acme.echo', json.encode({ type: 'noop' }), { timeout: 10_000 })).data);
    expect(wrong).toMatchObject({ statusCode: 400, field: 'type' });
  });

  it('runs mixed actions: synchronous ones first in order, then background ones queued in order', async () => {
    const res = await postJson(`${base}/jobs:mixed`, {
      timeoutMs: 10_000,
      actions: [
        { type: 'echo', payload: { step: 'A' } },
        { type: 'noop', background: true },
        { type: 'echo', payload: { step: 'C' }, background: false },
        { type: 'noop', delay: 'Now' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.completed).toBe(true);
    const [a, b, c, d] = res.body.actions;
    expect(a).toMatchObject({ index: 0, background: false, status: 'COMPLETED' });
    expect(c).toMatchObject({ index: 2, background: false, status: 'COMPLETED' });
    expect(b).toMatchObject({ index: 1, background: true, status: 'QUEUED' });
    expect(d).toMatchObject({ index: 3, background: true, status: 'QUEUED' });
    expect(b.links.done).toBe(`/acme/api/jobs/${b.jobId}/done`);
    expect(b.links.events).toBe(`/acme/api/jobs/${b.jobId}/events`);

    for (const job of [b, d]) await waitFor(async () => (await getJson(`${system.gatewayUrl}${job.links.done}`)).body.done === true, 20_000, 100);
    const [ha, hb, hc, hd] = await Promise.all([a, b, c, d].map((x) => history(x.jobId)));
    const at = (h: HistoryEvent[], type: string) => Date.parse(h.find((e) => e.type === type)!.occurredAt);
    // A then C ran before the answer; B and D were submitted only after, B before D.
    expect(at(ha, 'job.completed')).toBeLessThanOrEqual(at(hc, 'job.started'));
    expect(at(hc, 'job.completed')).toBeLessThanOrEqual(at(hb, 'job.submitted'));
    expect(at(hb, 'job.submitted')).toBeLessThanOrEqual(at(hd, 'job.submitted'));
    expect(ha[0].data.mode).toBe('sync');
    expect(hb[0].data.mode).toBe('async');
    expect(hd[0].data.mode).toBe('async');
  });

  it('skips the actions after a synchronous action that does not complete, and rejects a bad action untouched', async () => {
    const res = await postJson(`${base}/jobs:mixed`, {
      actions: [{ type: 'delay', payload: { delay: 'bogus' } }, { type: 'noop', background: true }],
    });
    expect(res.status).toBe(200);
    expect(res.body.completed).toBe(false);
    expect(res.body.actions[0]).toMatchObject({ status: 'FAILED' });
    expect(res.body.actions[1]).toEqual({ index: 1, background: true, skipped: true });

    const bad = await postJson(`${base}/jobs:mixed`, { actions: [{ type: 'noop' }, { type: 'noop', delay: 'PT5S' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('actions[1].delay');
  });

  it('streams every transition of a job over SSE: the history so far, then live ones, ending after the terminal event', async () => {
    const submitted = await postJson(`${base}/jobs`, { type: 'delay', payload: { delay: 'PT1S' } });
    const events = await readEventStream(`${base}/jobs/${submitted.body.jobId}/events`);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe('job.submitted');
    expect(types).toContain('job.started');
    expect(types[types.length - 1]).toBe('job.completed');
    expect(events.map((e) => e.data.revision)).toEqual(events.map((_, i) => i));

    const missing = await fetch(`${base}/jobs/no-such-job/events`);
    expect(missing.status).toBe(404);
  });

  it('falls back at once, saying why, when no executor for the type is online; the job runs once one is', async () => {
    for (const executor of system.processes.filter((p) => p.name === 'executor')) await system.stopProcess(executor);
    const res = await postJson(`${base}/jobs:run`, { type: 'noop', timeoutMs: 30_000 });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ mode: 'async-fallback', reason: 'no-executor', status: 'QUEUED' });
    await system.spawn('executor', {}, 'executor');
    await waitFor(async () => (await getJson(`${base}/jobs/${res.body.jobId}/done`)).body.done === true, 30_000, 200);
  });

  describe('HTTPS with a certificate picked by thumbprint', () => {
    let certDir: string;
    let configFile: string;
    let gateway: ServiceProcess;
    let httpPort: number;
    let httpsPort: number;
    let first: string;
    const ca: Buffer[] = [];

    beforeAll(async () => {
      certDir = mkdtempSync(join(tmpdir(), 'jobstream-certs-'));
      first = makeCertificate(certDir, 'first');
      ca.push(readFileSync(join(certDir, 'first.crt')));
      [httpPort, httpsPort] = [await freePort(), await freePort()];
      configFile = join(certDir, 'gateway.env');
      // Lower case on purpose: thumbprints match case-insensitively.
      writeFileSync(configFile, `ORCHESTRATOR_PORTS="${httpPort};${httpsPort} ${first.toLowerCase()}"\n`);
      gateway = await system.spawn('gateway', { CONFIG_FILE: configFile, CERT_DIR: certDir }, 'gateway-tls');
      await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/health`).catch(() => null))?.ok === true, 30_000, 100);
    });

    afterAll(async () => {
      if (gateway) await system.stopProcess(gateway);
      rmSync(certDir, { recursive: true, force: true });
    });

    it('fails start-up naming a thumbprint that matches no certificate', async () => {
      const wrong = 'ab'.repeat(20);
      const proc = await system.spawn('gateway', { ORCHESTRATOR_PORTS: `${await freePort()};${await freePort()} ${wrong}`, CERT_DIR: certDir }, 'gateway-wrong');
      const code = await new Promise<number | null>((resolve) => proc.process.once('exit', (c) => resolve(c)));
      expect(code).not.toBe(0);
      expect(proc.output()).toContain(`no certificate with thumbprint ${wrong} in ${certDir}`);
    });

    it('serves sync jobs over HTTPS with the configured certificate', async () => {
      const agent = new Agent({ keepAlive: true });
      const res = await httpsJson(httpsPort, '/acme/api/jobs:run', { agent, ca, method: 'POST', body: { type: 'noop' } });
      expect(res.status).toBe(200);
      expect(res.thumbprint).toBe(first);
      expect(res.body).toMatchObject({ status: 'COMPLETED' });
      agent.destroy();
    });

    it('picks up a renewed certificate on SIGHUP and on the admin endpoint, while an open keep-alive connection keeps working', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      // A copy: the agent keys its sockets by the TLS options, so the same `ca` is needed to reuse one.
      const trusted = [...ca];
      const before = await httpsJson(httpsPort, '/health', { agent, ca: trusted });
      expect(before.thumbprint).toBe(first);

      const second = makeCertificate(certDir, 'second');
      ca.push(readFileSync(join(certDir, 'second.crt')));
      writeFileSync(configFile, `ORCHESTRATOR_PORTS="${httpPort};${httpsPort} ${second}"\n`);
      gateway.process.kill('SIGHUP');
      await waitFor(async () => (await httpsJson(httpsPort, '/health', { agent: new Agent(), ca })).thumbprint === second, 10_000, 100);

      const after = await httpsJson(httpsPort, '/health', { agent, ca: trusted });
      expect(after.status).toBe(200);
      expect(after.socket).toBe(before.socket); // the same TLS connection, still on the old certificate
      expect(after.thumbprint).toBe(first);

      const third = makeCertificate(certDir, 'third');
      ca.push(readFileSync(join(certDir, 'third.crt')));
      writeFileSync(configFile, `ORCHESTRATOR_PORTS="${httpPort};${httpsPort} ${third}"\n`);
      const reload = await postJson(`http://127.0.0.1:${httpPort}/admin/~reload-certificates`, undefined);
      expect(reload.status).toBe(200);
      expect(reload.body).toMatchObject({ reloaded: true, thumbprint: third.toLowerCase() });
      expect((await httpsJson(httpsPort, '/health', { agent: new Agent(), ca })).thumbprint).toBe(third);

      writeFileSync(configFile, `ORCHESTRATOR_PORTS="${httpPort};${httpsPort} ${'cd'.repeat(20)}"\n`);
      const refused = await postJson(`http://127.0.0.1:${httpPort}/admin/~reload-certificates`, undefined);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain(`no certificate with thumbprint ${'cd'.repeat(20)}`);
      expect((await httpsJson(httpsPort, '/health', { agent: new Agent(), ca })).thumbprint).toBe(third);
      agent.destroy();
    });

    it('falls back with reason gateway-draining when the gateway is stopped while a sync job runs', async () => {
      const pending = postJson(`http://127.0.0.1:${httpPort}/acme/api/jobs:run`, { type: 'delay', payload: { delay: 'PT5S' }, timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 500));
      const stopped = system.stopProcess(gateway);
      const res = await pending;
      await stopped;
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ mode: 'async-fallback', reason: 'gateway-draining' });
      await waitFor(async () => (await getJson(`${base}/jobs/${res.body.jobId}/done`)).body.done === true, 20_000, 200);
    });
  });
});
