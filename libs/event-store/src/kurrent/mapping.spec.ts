import { closesCommit, commitMetadata, formatPosition, fromCurrentState, parsePosition, toKurrentEventId, toStreamState } from './mapping';

describe('KurrentDB mapping', () => {
  it('formats positions as <commit>/<prepare> and parses them back', () => {
    const position = { commit: 1234567890123n, prepare: 1234567890000n };
    expect(formatPosition(position)).toBe('1234567890123/1234567890000');
    expect(parsePosition('1234567890123/1234567890000')).toEqual(position);
    expect(() => parsePosition('42')).toThrow('<commit>/<prepare>');
  });

  it('maps expected revisions to stream states and actual states back to revisions', () => {
    expect(toStreamState('no_stream')).toBe('no_stream');
    expect(toStreamState('any')).toBe('any');
    expect(toStreamState('stream_exists')).toBe('stream_exists');
    expect(toStreamState(4)).toBe(4n);
    expect(toStreamState(-1)).toBe('no_stream');
    expect(fromCurrentState(7n)).toBe(7);
    expect(fromCurrentState('no_stream')).toBe(-1);
  });

  it('keeps UUID event ids and derives a stable UUID from any other id', () => {
    const uuid = '0190a4c4-7e0a-7c3e-9b1a-0c1d2e3f4a5b';
    expect(toKurrentEventId(uuid.toUpperCase())).toBe(uuid);
    const derived = toKurrentEventId('evt-1');
    expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(toKurrentEventId('evt-1')).toBe(derived);
    expect(toKurrentEventId('evt-2')).not.toBe(derived);
  });

  it('marks the events of one append so a subscription can regroup them', () => {
    const events = ['a', 'b', 'c'].map((eventId) => ({ eventId, correlationId: 'corr', causationId: 'cause' }));
    const metadata = events.map((_, i) => commitMetadata(events as never, i));
    expect(metadata[1]).toEqual({ $correlationId: 'corr', $causationId: 'cause', commitId: 'a', commitIndex: 1, commitSize: 3 });
    expect(metadata.map(closesCommit)).toEqual([false, false, true]);
    expect(closesCommit(undefined)).toBe(true);
    expect(closesCommit({ foreign: true })).toBe(true);
  });
});
