import { deliveryOf } from './log-reader';

describe('deliveryOf', () => {
  it('reads the stream sequence and pending count of the nine-token reply subject', () => {
    expect(deliveryOf('$JS.ACK.JOBSTREAM_EVENTS.walk.1.12345.7.1700000000000000000.3')).toEqual({ seq: 12345, pending: 3 });
  });

  it('reads it when the server adds domain, account hash and a trailing token', () => {
    expect(deliveryOf('$JS.ACK._.ACCHASH.JOBSTREAM_EVENTS.walk.2.999.8.1700000000000000000.0.rnd')).toEqual({ seq: 999, pending: 0 });
    expect(deliveryOf('$JS.ACK.hub.ACCHASH.JOBSTREAM_EVENTS.walk.1.42.7.1700000000000000000.3')).toEqual({ seq: 42, pending: 3 });
  });
});
