import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort } from '@jobstream/testing';
import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext, waitUntil } from '../sdk/context.test-helper';
import { HttpHandler, parseHttpPayload } from './http.handler';
import { MAX_BODY_BYTES } from './http-response';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> = {
  '/json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1', 'set-cookie': 'session=secret' });
    res.end(JSON.stringify({ ok: true, items: [1, 2] }));
  },
  '/text': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('hello, wörld');
  },
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('x'.repeat(MAX_BODY_BYTES + 4096));
  },
  '/echo': async (req, res) => {
    const body = await readBody(req);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'], token: req.headers['x-token'], body }));
  },
  '/boom': (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('database down\n');
  },
  '/unavailable': (_req, res) => {
    res.writeHead(503);
    res.end();
  },
  // Never answers: for time-outs and cancels.
  '/hang': () => undefined,
};

describe('http', () => {
  let server: Server;
  let base: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requested.push(`${req.method} ${req.url}`);
      const route = routes[req.url ?? ''];
      if (route) return void route(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const run = (payload: Record<string, unknown>) => {
    const ctx = new TestJobContext({ type: 'http', payload });
    return { ctx, result: new HttpHandler().execute(ctx) };
  };

  it('is registered as "http"', () => {
    expect(handlerRegistration(HttpHandler)).toEqual({ type: 'http' });
  });

  it('GETs JSON: status, a subset of headers (no cookies) and the parsed body', async () => {
    await expect(run({ url: `${base}/json` }).result).resolves.toEqual({
      output: {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' },
        body: { ok: true, items: [1, 2] },
      },
    });
  });

  it('returns text bodies as text', async () => {
    await expect(run({ url: `${base}/text` }).result).resolves.toMatchObject({ output: { status: 200, body: 'hello, wörld' } });
  });

  it('caps the body at 1 MiB and says so', async () => {
    const outcome = (await run({ url: `${base}/big` }).result) as { output: { body: string; truncated: boolean } };
    expect(outcome.output.body.length).toBe(MAX_BODY_BYTES);
    expect(outcome.output.truncated).toBe(true);
  });

  it('POSTs a JSON body with a JSON content type, keeping given headers', async () => {
    const { result } = run({ url: `${base}/echo`, method: 'post', headers: { 'X-Token': 't' }, body: { n: 1 } });
    await expect(result).resolves.toMatchObject({
      output: { status: 201, body: { method: 'POST', contentType: 'application/json', token: 't', body: '{"n":1}' } },
    });
  });

  it('sends a string body as is', async () => {
    const { result } = run({ url: `${base}/echo`, method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2' });
    await expect(result).resolves.toMatchObject({ output: { body: { method: 'PUT', contentType: 'text/csv', body: 'a,b\n1,2' } } });
  });

  it.each([
    ['/missing', `HTTP 404 Not Found from GET ${'BASE'}/missing: no such page`],
    ['/boom', `HTTP 500 Internal Server Error from GET ${'BASE'}/boom: database down`],
    ['/unavailable', `HTTP 503 Service Unavailable from GET ${'BASE'}/unavailable`],
  ])('reports %s as a structured failure naming the status', async (path, message) => {
    await expect(run({ url: `${base}${path}` }).result).resolves.toEqual({ failed: { message: message.replace('BASE', base) } });
  });

  it('throws HttpTimeoutError when the server does not answer in timeoutMs', async () => {
    await expect(run({ url: `${base}/hang`, timeoutMs: 50 }).result).rejects.toMatchObject({
      name: 'HttpTimeoutError',
      message: `GET ${base}/hang timed out after 50 ms`,
    });
  });

  it('throws AbortError when the job is cancelled mid-request', async () => {
    const before = requested.length;
    const { ctx, result } = run({ url: `${base}/hang` });
    await waitUntil(() => requested.length > before, 'the request to arrive');
    ctx.abort();
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('throws on network errors, with the underlying cause in the message', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    await expect(run({ url }).result).rejects.toMatchObject({ name: 'HttpRequestError', message: expect.stringMatching(/ECONNREFUSED/) });
  });

  describe('payload', () => {
    it.each([
      [{}, 'payload.url must be an absolute http(s) URL'],
      [{ url: '/relative' }, 'payload.url must be an absolute http(s) URL'],
      [{ url: 'ftp://example.com/x' }, 'payload.url must be an absolute http(s) URL'],
      [{ url: 'http://u:p@example.com/' }, 'payload.url must not contain credentials'],
      [{ url: 'http://x/', method: 'FETCH' }, 'payload.method must be one of GET, HEAD, POST'],
      [{ url: 'http://x/', method: 7 }, 'payload.method must be one of'],
      [{ url: 'http://x/', headers: { a: 1 } }, 'payload.headers must be an object of string values'],
      [{ url: 'http://x/', body: 'x' }, 'payload.body is not allowed with GET'],
      [{ url: 'http://x/', timeoutMs: 0 }, 'payload.timeoutMs must be an integer from 1 to 300000'],
      [{ url: 'http://x/', timeoutMs: 300_001 }, 'payload.timeoutMs must be an integer from 1 to 300000'],
      [{ url: 'http://x/', timeout: 5 }, 'payload.timeout is not a known field'],
    ])('rejects %p', (payload, message) => {
      expect(() => parseHttpPayload(payload)).toThrow(message);
    });

    it('defaults to GET with a 10 s time-out', () => {
      expect(parseHttpPayload({ url: 'https://example.com/a?b=1' })).toMatchObject({ method: 'GET', timeoutMs: 10_000, headers: {} });
    });
  });
});
