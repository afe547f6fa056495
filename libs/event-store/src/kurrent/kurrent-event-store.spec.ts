import { eventStoreContract } from '../contract/event-store.contract.test-helper';
import { KurrentEventStore } from './kurrent-event-store';

const url = process.env.EVENTSTORE_URL;

if (url) {
  eventStoreContract('KurrentEventStore', async () => ({
    open: () => KurrentEventStore.connect(url),
    close: async () => undefined,
  }));
} else {
  describe.skip('EventStore contract: KurrentEventStore — skipped: set EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false) to run it against a real server', () => {
    it('runs the shared contract', () => undefined);
  });
}
