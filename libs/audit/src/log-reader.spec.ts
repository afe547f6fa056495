import { streamSeqOf } from './log-reader';

describe('streamSeqOf', () => {
  it('reads the stream sequence of the nine-token reply subject', () => {
    expect(streamSeqOf('$JS.ACK.JOBSTREAM_EVENTS.walk.1.12345.7.1700000000000000000.3')).toBe(12345);
  });

  it('reads it when the server adds domain, account hash and a trailing token', () => {
    expect(streamSeqOf('$JS.ACK._.ACCHASH.JOBSTREAM_EVENTS.walk.2.999.8.1700000000000000000.0.rnd')).toBe(999);
    expect(streamSeqOf('$JS.ACK.hub.ACCHASH.JOBSTREAM_EVENTS.walk.1.42.7.1700000000000000000.3')).toBe(42);
  });
});
