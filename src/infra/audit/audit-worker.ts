import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { compileFilter } from '../../actors/audit/attempt-filter.js';
import { createTotalsCounter } from '../../actors/audit/audit-totals.js';
import { createLogAuditor, type AttemptVerdict } from '../../actors/audit/log-auditor.js';
import { createBloomSeenAttempts } from '../../actors/audit/seen-attempts.js';
import { storeAuditLog } from '../../actors/audit/store-audit-log.js';
import { createJetStreamEventStore } from '../jetstream/event-store.js';
import { natsClientOptions } from '../nats/nats-client-options.js';
import type { AuditWorkerData, FromWorker, ToWorker } from './audit-worker-protocol.js';

/**
 * One audit worker thread (see audit-worker-protocol.ts). It takes batches of records in
 * order, one batch at a time, and tells the main thread when each is done so that no more
 * than a few batches wait in memory.
 */
const CONNECT_TIMEOUT_MS = 5_000;
/** Selected verdicts sent together; export verdicts carry their records. */
const SELECTED_BATCH = 64;

const port = parentPort;
if (port === null) throw new Error('audit-worker.js runs as a worker thread');
const data = workerData as AuditWorkerData;
const send = (message: FromWorker) => port.postMessage(message);

const run = async (): Promise<void> => {
  const nc = await connect({
    ...(await natsClientOptions(data.natsUrl, data.natsAccess)),
    timeout: CONNECT_TIMEOUT_MS,
    reconnect: false,
    name: 'passage-audit',
  });
  const store = createJetStreamEventStore({ nc });
  const log = storeAuditLog(store, data.tenant);
  const select = data.filter === undefined ? undefined : compileFilter(data.filter);
  if (typeof select === 'string') throw new Error(select);
  const counter = createTotalsCounter();
  let selected: AttemptVerdict[] = [];
  const flush = () => {
    if (selected.length === 0) return;
    send({ kind: 'selected', verdicts: selected });
    selected = [];
  };
  const auditor = createLogAuditor({
    readAttempt: log.readAttempt,
    seen: createBloomSeenAttempts(data.bloomBits),
    keepTexts: data.keepTexts,
    onVerdict: (verdict) => {
      counter.add(verdict);
      if (select !== undefined && select(verdict.summary)) {
        selected.push(verdict);
        if (selected.length >= SELECTED_BATCH) flush();
      }
    },
  });

  // Messages are handled strictly one after the other: an attempt's records stay in order.
  let queue = Promise.resolve();
  const handle = async (message: ToWorker): Promise<void> => {
    if (message.kind === 'records') {
      for (const record of message.records) await auditor.push(record);
      send({ kind: 'taken' });
      return;
    }
    await auditor.finish({ readTails: message.readTails });
    flush();
    send({ kind: 'finished', totals: counter.totals() });
    await store.close();
    await nc.close();
    port.close();
  };
  port.on('message', (message: ToWorker) => {
    queue = queue
      .then(() => handle(message))
      .catch((error: unknown) => {
        send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
        port.close();
      });
  });
  send({ kind: 'ready' });
};

run().catch((error: unknown) => {
  send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
});
