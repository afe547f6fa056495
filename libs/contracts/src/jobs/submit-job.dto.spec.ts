import { validateDto } from '../validation';
import { SubmitBatchDto, SubmitJobDto } from './submit-job.dto';

describe('SubmitJobDto', () => {
  it('accepts a minimal job', () => {
    expect(validateDto(SubmitJobDto, { type: 'noop' })).toMatchObject({ ok: true });
  });

  it.each([
    [{ type: 'Bad Type' }, 'type'],
    [{ type: 'noop', payload: 'x' }, 'payload'],
    [{ type: 'noop', priority: 1.5 }, 'priority'],
    [{ type: 'noop', locks: [{ resource: 'a', mode: 'READ' }] }, 'locks[0].mode'],
    [{ type: 'noop', locks: [{ resource: '', mode: 'SHARED' }] }, 'locks[0].resource'],
    [{ type: 'noop', retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    [{ type: 'noop', surprise: true }, 'surprise'],
  ])('rejects %j naming %s', (body, field) => {
    const result = validateDto(SubmitJobDto, body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.field)).toContain(field);
  });

  it('rejects a non-object body', () => {
    expect(validateDto(SubmitJobDto, [1])).toEqual({
      ok: false,
      errors: [{ field: '(body)', message: 'must be a JSON object' }],
    });
  });

  it('names the index of the bad job in a batch', () => {
    const result = validateDto(SubmitBatchDto, { jobs: [{ type: 'noop' }, { type: 'noop', priority: 'high' }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0].field).toBe('jobs[1].priority');
  });
});
