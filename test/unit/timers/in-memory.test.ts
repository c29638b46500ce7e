import { createInMemoryTimerQueue } from '../../../src/infra/timers/in-memory.js';
import { describeTimerQueueContract } from '../../contract/timer-queue-contract.js';

describeTimerQueueContract('in-memory', (clock) => {
  const queue = createInMemoryTimerQueue({ now: clock.now });
  return Promise.resolve({
    queue,
    cleanup: () => queue.close(),
    publishRaw: (tenant: string, body: string) => queue.publishRaw(tenant, body),
  });
});
