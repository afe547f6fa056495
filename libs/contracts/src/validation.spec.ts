import { JobDefinitionDto } from './job-definitions/job-definition.dto';
import { SubmitBatchDto, SubmitJobDto } from './jobs/submit-job.dto';
import { checkDto, validateDto } from './validation';

const valid = {
  type: 'report',
  payload: { a: [1, { b: 'c' }] },
  idempotencyKey: 'order-42',
  priority: -3,
  timeouts: { firstDeadlineMs: 100, secondDeadlineMs: 5000 },
  locks: [{ resource: 'printer', mode: 'EXCLUSIVE' }],
  retry: { maxAttempts: 3, backoff: { kind: 'fixed', initialMs: 0, maxMs: 10 }, jitter: false, nonRetryableErrors: ['Fatal'] },
  workflowVariables: {},
};

/** Values that break or bend one rule or another, including the ones class-validator lets through. */
const odd: unknown[] = [
  undefined, null, '', ' ', 'x'.repeat(201), 'Bad Type', 'ok', 0, -1001, 1.5, 99, 1e9, NaN, true, [], [{}], [null], ['a'], {}, { x: 1 },
  { resource: 'a', mode: 'SHARED' }, { resource: ' ', mode: 'SHARED' }, { firstDeadlineMs: 99, secondDeadlineMs: 100 },
  { maxAttempts: 1 }, { maxAttempts: 1, backoff: null }, { maxAttempts: 1, backoff: [] }, { maxAttempts: 1, nonRetryableErrors: [1] },
  'a\ud83d\ude00'.repeat(150),
];

/** A small deterministic generator: the same bodies on every run. */
function* mutations(seed: number, count: number): Generator<Record<string, unknown>> {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % n;
  };
  const fields = [...Object.keys(valid), 'surprise', '__proto__'];
  for (let i = 0; i < count; i++) {
    const body: Record<string, unknown> = JSON.parse(JSON.stringify(valid));
    for (let k = 0; k <= next(3); k++) {
      const field = fields[next(fields.length)];
      if (next(4) === 0) delete body[field];
      else Object.defineProperty(body, field, { value: odd[next(odd.length)], enumerable: true, configurable: true, writable: true });
    }
    yield body;
  }
}

describe('checkDto', () => {
  it('answers as validateDto does, errors included, for bodies that pass and bodies that do not', () => {
    let accepted = 0;
    for (const body of [valid, { type: 'noop' }, { type: 'noop', payload: null }, { type: 'noop', timeouts: [] }, ...mutations(7, 3000)]) {
      const expected = validateDto(SubmitJobDto, body);
      const actual = checkDto(SubmitJobDto, body);
      expect({ body, ok: actual.ok, errors: actual.ok ? [] : actual.errors }).toEqual({ body, ok: expected.ok, errors: expected.ok ? [] : expected.errors });
      if (actual.ok) accepted++;
    }
    // Both outcomes were exercised.
    expect(accepted).toBeGreaterThan(100);
  });

  it('checks every job of a batch and names the bad one', () => {
    const jobs = [...mutations(11, 200)];
    for (let end = 1; end <= jobs.length; end += 13) {
      const body = { jobs: jobs.slice(0, end) };
      const expected = validateDto(SubmitBatchDto, body);
      expect(checkDto(SubmitBatchDto, body)).toEqual(expected.ok ? { ok: true, value: undefined } : expected);
    }
    const bad = checkDto(SubmitBatchDto, { jobs: [{ type: 'noop' }, { type: 'noop', priority: 'high' }] });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toContain('jobs[1].priority');
  });

  it('leaves class instances, Sets and other DTOs to class-validator', () => {
    expect(checkDto(SubmitJobDto, Object.assign(new SubmitJobDto(), { type: 'noop' })).ok).toBe(validateDto(SubmitJobDto, { type: 'noop' }).ok);
    expect(checkDto(SubmitJobDto, { type: 'noop', retry: { maxAttempts: 1, nonRetryableErrors: new Set(['']) } }).ok).toBe(
      validateDto(SubmitJobDto, { type: 'noop', retry: { maxAttempts: 1, nonRetryableErrors: new Set(['']) } }).ok,
    );
    expect(checkDto(JobDefinitionDto, { name: 1 })).toEqual(validateDto(JobDefinitionDto, { name: 1 }));
  });
});
