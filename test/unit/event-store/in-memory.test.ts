import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { describeEventStoreContract } from '../../contract/event-store-contract.js';

describeEventStoreContract('in-memory', () => {
  const store = createInMemoryEventStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
});
