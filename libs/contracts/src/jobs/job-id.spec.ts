import { jobIdFor } from './job-id';

describe('jobIdFor', () => {
  it('derives the same UUID for the same tenant and key, and different ones otherwise', () => {
    const id = jobIdFor('acme', 'order-42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobIdFor('acme', 'order-42')).toBe(id);
    expect(jobIdFor('other', 'order-42')).not.toBe(id);
    expect(jobIdFor('acme', 'order-43')).not.toBe(id);
  });

  it('gives a fresh random id without a key', () => {
    expect(jobIdFor('acme')).not.toBe(jobIdFor('acme'));
  });
});
