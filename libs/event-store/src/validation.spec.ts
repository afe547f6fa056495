import type { DomainEvent } from '@jobstream/domain';
import { EventTooLargeError, InvalidEventError } from './errors';
import { findRetriedAppend, prepareAppend, validateExpected, validateStreamPrefix } from './validation';

const event = (eventId: string, patch: Partial<DomainEvent> = {}): DomainEvent => ({
  eventId,
  type: 'job.submitted',
  schemaVersion: 1,
  streamId: 'acme.job.1',
  tenant: 'acme',
  occurredAt: '2025-01-02T03:04:05.678Z',
  correlationId: 'c',
  causationId: null,
  actor: 'user:a',
  data: { n: 1 },
  ...patch,
});

describe('shared append validation', () => {
  it('returns each event serialized once', () => {
    const events = [event('e1'), event('e2')];
    expect(prepareAppend('acme.job.1', events, 1000).map((json) => JSON.parse(json))).toEqual(events);
  });

  it('counts bytes, not characters, against the limit', () => {
    const json = JSON.stringify(event('e1', { data: '' }));
    const limit = json.length + 10;
    expect(() => prepareAppend('acme.job.1', [event('e1', { data: 'é'.repeat(10) })], limit)).toThrow(EventTooLargeError);
    expect(() => prepareAppend('acme.job.1', [event('e1', { data: 'e'.repeat(10) })], limit)).not.toThrow();
  });

  it('names the first offending field', () => {
    const field = (events: DomainEvent[], streamId = 'acme.job.1') => {
      try {
        prepareAppend(streamId, events, 1000);
      } catch (error) {
        return (error as InvalidEventError).field;
      }
      return undefined;
    };
    expect(field([event('e1'), event('e1')])).toBe('eventId');
    expect(field([event('e1', { occurredAt: '2025-13-45T99:00:00Z' })])).toBe('occurredAt');
    expect(field([event('e1', { causationId: 5 as never })])).toBe('causationId');
    expect(field([event('e1', { data: { n: 1n } })])).toBe('data');
    expect(field([event('e1')], 'acme..1')).toBe('streamId');
    expect(field([event('e1')], 'acme.job.>')).toBe('streamId');
  });

  it('validates expected revisions and subscription prefixes', () => {
    for (const ok of [-1, 0, 7, 'no_stream', 'any', 'stream_exists'] as const) expect(() => validateExpected(ok)).not.toThrow();
    for (const bad of [-2, 1.5, 'latest']) expect(() => validateExpected(bad as never)).toThrow(InvalidEventError);
    for (const ok of ['', 'acme.', 'acme.job.', 'acme.jo']) expect(() => validateStreamPrefix(ok)).not.toThrow();
    for (const bad of ['acme.*', 'acme.>', '.acme', 'acme..job', 'a b']) expect(() => validateStreamPrefix(bad)).toThrow(InvalidEventError);
  });

  it('recognises a retried append by the ids stored right after the expected revision', () => {
    const recorded = ['a', 'b', 'c'].map((id, i) => ({ event: event(id), revision: 4 + i, position: String(10 + i) }));
    expect(findRetriedAppend([event('a'), event('b')], recorded)).toBe(recorded[1]);
    expect(findRetriedAppend([event('a'), event('x')], recorded)).toBeUndefined();
    expect(findRetriedAppend([event('a'), event('b'), event('c'), event('d')], recorded)).toBeUndefined();
  });
});
