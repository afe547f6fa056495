import { makeEvent, parseStreamId, streamIdOf } from './envelope';

describe('event envelope', () => {
  const ctx = {
    tenant: 'acme',
    now: new Date('2026-01-02T03:04:05.678Z'),
    newId: () => 'e-1',
    actor: 'user:ann',
    correlationId: 'c-1',
    causationId: null,
  };

  it('stamps every event with the context, never with the wall clock', () => {
    const event = makeEvent(ctx, streamIdOf('acme', 'job', 'j1'), 'job.submitted', { type: 'noop' });
    expect(event).toEqual({
      eventId: 'e-1',
      type: 'job.submitted',
      schemaVersion: 2,
      streamId: 'acme.job.j1',
      tenant: 'acme',
      occurredAt: '2026-01-02T03:04:05.678Z',
      correlationId: 'c-1',
      causationId: null,
      actor: 'user:ann',
      data: { type: 'noop' },
    });
  });

  it('parses a stream id back into its parts and rejects anything else', () => {
    expect(parseStreamId('acme.job.j1')).toEqual({ tenant: 'acme', aggregate: 'job', id: 'j1' });
    expect(() => parseStreamId('acme.job')).toThrow('not a stream id');
  });
});
