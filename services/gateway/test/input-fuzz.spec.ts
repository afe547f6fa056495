import fc from 'fast-check';
import { PUBLIC, ROUTE_PERMISSIONS } from '../src/auth/route-permissions';
import { ADMIN_KEY, concretePath, startAuthGateway, type AuthGateway } from './auth.test-helper';

jest.setTimeout(240_000);

const WRITE_ROUTES = Object.entries(ROUTE_PERMISSIONS)
  .filter(([key, rule]) => rule !== PUBLIC && /^(POST|PUT|PATCH|DELETE) /.test(key))
  .map(([key]) => {
    const [method, path] = key.split(' ');
    return { key, method, path: concretePath(path) };
  });
const RUNS_PER_ROUTE = 120;
/** Field names of the DTOs, so wrong types hit the fields validators care about. */
const KNOWN_FIELDS = ['type', 'payload', 'priority', 'jobs', 'locks', 'idempotencyKey', 'name', 'tenants', 'rights', 'expiresAt', 'reason', 'schedule', 'configuration', 'timeoutMs', 'actions', 'orchestratedTasks', 'enabled', 'description', 'retry'];

interface Malformed {
  raw: Buffer | string;
  contentType: string;
  kind: string;
}

const json = (value: unknown, kind: string): Malformed => ({ raw: JSON.stringify(value) ?? 'undefined', contentType: 'application/json', kind });
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }));

const malformed: fc.Arbitrary<Malformed> = fc.oneof(
  // A root that is not an object.
  fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string(), fc.constant(null), fc.array(fc.anything(), { maxLength: 4 })).map((v) => json(v, 'root')),
  // Unknown fields next to anything.
  fc.tuple(fc.dictionary(fc.constantFrom(...KNOWN_FIELDS), fc.anything(), { maxKeys: 4 }), fc.string({ minLength: 1, maxLength: 20 }), fc.anything()).map(([base, name, value]) =>
    json({ ...base, [`zz_${name}`]: value }, 'unknown-field'),
  ),
  // Known fields with the wrong type.
  fc.tuple(fc.constantFrom(...KNOWN_FIELDS), notAString, fc.constantFrom('type', 'name', 'tenants', 'rights', 'jobs')).map(([field, value, required]) =>
    json({ [field]: value, [required]: 12345 }, 'wrong-type'),
  ),
  // Huge strings: over the body limit, or within it but far over any field's length.
  fc.integer({ min: 100_000, max: 1_500_000 }).map((n) => json({ type: 'x'.repeat(n), name: 'y'.repeat(10) }, 'huge-string')),
  // Deep nesting inside an otherwise plausible body.
  fc.integer({ min: 65, max: 200_000 }).map((depth) => ({
    raw: `{"type":"noop","name":"n","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    contentType: 'application/json',
    kind: 'deep-nesting',
  })),
  // Bytes that are not UTF-8 inside a plausible body.
  fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x28, 0xa1]).map((bytes) => ({
    raw: Buffer.concat([Buffer.from('{"type":"noop","name":"n","payload":{"note":"'), Buffer.from(bytes), Buffer.from('"}}')]),
    contentType: 'application/json',
    kind: 'bad-utf8',
  })),
  // Not JSON at all, declared as JSON or as something else.
  fc.tuple(fc.string({ maxLength: 200 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x')).map(([text, contentType]) => ({
    raw: `{${text}`,
    contentType,
    kind: 'not-json',
  })),
  // XML with a DTD and entities (billion laughs, external entity), where XML is taken and where it is not.
  fc.constantFrom(
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><orchestrationTask>&lol2;</orchestrationTask>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><orchestrationTask><name>&xxe;</name></orchestrationTask>',
    '<orchestrationTask><unclosed></orchestrationTask>',
  ).map((raw) => ({ raw, contentType: 'application/xml', kind: 'hostile-xml' })),
);

describe('malformed bodies on every write route (AUTH=on, admin key, real nats-server)', () => {
  let auth: AuthGateway;
  const eventCount = async () => (await (await auth.gw.nc.jetstreamManager()).streams.info('JOBSTREAM_EVENTS')).state.messages;

  beforeAll(async () => {
    auth = await startAuthGateway();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it(`answers each of ${WRITE_ROUTES.length} write routes × ${RUNS_PER_ROUTE} malformed bodies with a 4xx JSON reason, stays up, and appends nothing`, async () => {
    const before = await eventCount();
    const kinds = new Map<string, number>();
    const failures: string[] = [];
    for (const route of WRITE_ROUTES) {
      await fc.check(
        fc.asyncProperty(malformed, async (body) => {
          kinds.set(body.kind, (kinds.get(body.kind) ?? 0) + 1);
          const answer = await auth.call(route.method, route.path, { credential: ADMIN_KEY, raw: body.raw, contentType: body.contentType });
          const ok = answer.status >= 400 && answer.status < 500 && answer.body?.statusCode === answer.status && typeof answer.body?.message === 'string';
          if (!ok) throw new Error(`${route.key} ${body.kind}: ${answer.status} ${JSON.stringify(answer.body)?.slice(0, 300)}`);
        }),
        { seed: 20_240_601, numRuns: RUNS_PER_ROUTE },
      ).then((r) => { if (r.failed) failures.push(String((r.errorInstance as Error)?.message ?? r.counterexample)); });
    }
    expect(failures).toEqual([]);
    expect([...kinds.keys()].sort()).toEqual(['bad-utf8', 'deep-nesting', 'hostile-xml', 'huge-string', 'not-json', 'root', 'unknown-field', 'wrong-type']);
    expect(await eventCount()).toBe(before);
    expect((await auth.call('GET', '/api/auth/whoami', { credential: ADMIN_KEY })).status).toBe(200);
  });
});
