import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/actors/ports/event-store.js';
import { encodeRecord } from '../../../src/actors/records/sign-in-record.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../../../src/cli/io.js';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from '../../../src/cli/defaults.js';
import {
  connectToNats,
  NatsUnreachableError,
  natsStoreOpener,
  parseReplayArgs,
  runReplay,
  runReplayCommand,
  type OpenStore,
  type ReplayOptions,
} from '../../../src/cli/commands/replay.js';
import type { SignInRecord } from '../../../src/domain/wire/service-messages.js';
import { createInMemoryEventStore } from '../../../src/infra/event-store/in-memory.js';
import { ATTEMPT, historyUntil, TENANT } from '../../../specs/support/signin-fixtures.js';
import { recordChain } from '../records/decided-histories.js';
import { modified } from './tampering.js';

/**
 * `passage replay` against the in-memory event store, through the `openStore` factory the
 * composition root fills with the JetStream one. No NATS: the connection helpers are tried
 * against ports where no NATS server answers.
 */

const signedIn = recordChain(historyUntil('done'));

const OPTIONS: ReplayOptions = {
  attemptId: ATTEMPT,
  tenant: TENANT,
  natsUrl: 'nats://127.0.0.1:4222',
  format: 'text',
  output: null,
};

/** Stores bodies in one attempt's stream, as a host would. */
const storeWith = async (bodies: readonly string[], attemptId = ATTEMPT): Promise<EventStore> => {
  const store = createInMemoryEventStore();
  let position = 0;
  for (const [index, body] of bodies.entries()) {
    const appended = await store.append(
      { tenant: TENANT, category: 'signin', id: attemptId },
      { id: `${attemptId}-${index}`, body },
      { expectedPosition: position },
    );
    position = appended.position;
  }
  return store;
};

const encoded = (records: readonly SignInRecord[]) => records.map(encodeRecord);

interface Opener {
  readonly openStore: OpenStore;
  readonly urls: string[];
  readonly closed: () => number;
}

const openerOf = (store: EventStore): Opener => {
  const urls: string[] = [];
  let closed = 0;
  return {
    urls,
    closed: () => closed,
    openStore: (natsUrl) => {
      urls.push(natsUrl);
      return Promise.resolve({
        store,
        close: async () => {
          closed += 1;
          await store.close();
        },
      });
    },
  };
};

const run = async (options: Partial<ReplayOptions>, openStore: OpenStore) => {
  let out = '';
  let err = '';
  const code = await runReplay(
    { out: (t) => (out += t), err: (t) => (err += t) },
    { ...OPTIONS, ...options },
    openStore,
  );
  return { code, out, err };
};

const refusingOpener: OpenStore = () => Promise.reject(new Error('openStore must not be called'));

describe('passage replay', () => {
  it('prints the timeline and exits 0 when every record verifies', async () => {
    const opener = openerOf(await storeWith(encoded(signedIn)));
    const { code, out, err } = await run({ natsUrl: 'nats://nats.example:4222' }, opener.openStore);
    expect(err).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(out).toMatch(/^attempt attempt-1 \(tenant acme\): 5 records read\n/);
    expect(out).toMatch(/#5 ✓ .*SignInSucceeded +validated → done +methods=pwd\n/);
    expect(out).toMatch(/verified: 5 records, final state done \(signedIn\)/);
    expect(opener.urls).toEqual(['nats://nats.example:4222']);
    expect(opener.closed()).toBe(1);
  });

  it('prints JSON lines with --json', async () => {
    const opener = openerOf(await storeWith(encoded(signedIn)));
    const { code, out } = await run({ format: 'json' }, opener.openStore);
    expect(code).toBe(EXIT_OK);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; ok?: boolean });
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toMatchObject({ kind: 'result', ok: true });
  });

  it('exits 1 with the first divergent record printed when a record was changed', async () => {
    const tampered = modified(signedIn, 3, (record) => ({ ...record, state: 'done' }));
    const opener = openerOf(await storeWith(encoded(tampered)));
    const { code, out, err } = await run({}, opener.openStore);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toMatch(/#4 ✗ .*AgentAnswered/);
    expect(out).toMatch(/HASH_MISMATCH: record 4 was changed/);
    expect(out).not.toMatch(/#5/);
    expect(err).toBe(
      'passage: attempt attempt-1 does not verify: HASH_MISMATCH at record 4 [ATTEMPT_NOT_VERIFIED]\n',
    );
    expect(opener.closed()).toBe(1);
  });

  it('exits 1 on a record that is not a record (UNREADABLE_RECORD)', async () => {
    const opener = openerOf(await storeWith([encodeRecord(signedIn[0]!), 'not a record']));
    const { code, err } = await run({ format: 'json' }, opener.openStore);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain('UNREADABLE_RECORD at position 2');
  });

  it('exits 1 with ATTEMPT_MISMATCH when the stream holds another attempt’s records', async () => {
    // Records of attempt-1 filed in attempt-9's stream.
    const opener = openerOf(await storeWith(encoded(signedIn), 'attempt-9'));
    const { code, err } = await run({ attemptId: 'attempt-9' }, opener.openStore);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain('ATTEMPT_MISMATCH at record 1');
  });

  it('exits 1 with ATTEMPT_NOT_FOUND for an attempt with no records, in this tenant', async () => {
    for (const options of [{ attemptId: 'attempt-unknown' }, { tenant: 'other' }]) {
      const opener = openerOf(await storeWith(encoded(signedIn)));
      const { code, out, err } = await run(options, opener.openStore);
      expect(code).toBe(EXIT_FAILURE);
      expect(out).toBe('');
      expect(err).toMatch(/no records for attempt .* \[ATTEMPT_NOT_FOUND\]\n$/);
      expect(opener.closed()).toBe(1);
    }
  });

  it('refuses a bad attempt id, tenant or NATS URL with USAGE_ERROR before connecting', async () => {
    for (const options of [
      { attemptId: 'attempt.1' },
      { attemptId: 'passage.acme.signin.>' },
      { attemptId: '' },
      { tenant: 'ACME' },
      { tenant: 'a.b' },
      { natsUrl: 'http://127.0.0.1:4222' },
      { natsUrl: 'not a url' },
      { natsUrl: 'nats://127.0.0.1:4222,ftp://x' },
    ]) {
      const { code, out, err } = await run(options, refusingOpener);
      expect(code, JSON.stringify(options)).toBe(EXIT_USAGE);
      expect(out).toBe('');
      expect(err).toContain('[USAGE_ERROR]');
    }
  });

  it('accepts a list of NATS URLs for a cluster', async () => {
    const opener = openerOf(await storeWith(encoded(signedIn)));
    const natsUrl = 'nats://n1:4222,tls://n2:4222';
    expect((await run({ natsUrl }, opener.openStore)).code).toBe(EXIT_OK);
    expect(opener.urls).toEqual([natsUrl]);
  });

  it('exits 1 with NATS_UNREACHABLE when NATS cannot be reached', async () => {
    const { code, out, err } = await run({}, () =>
      Promise.reject(new NatsUnreachableError('cannot reach NATS at nats://127.0.0.1:4222')),
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe('');
    expect(err).toBe('passage: cannot reach NATS at nats://127.0.0.1:4222 [NATS_UNREACHABLE]\n');
  });

  it('exits 1 with EVENT_STORE_UNAVAILABLE when the store cannot be opened or read', async () => {
    const failedOpen = await run({}, () => Promise.reject(new Error('stream missing')));
    expect(failedOpen.code).toBe(EXIT_FAILURE);
    expect(failedOpen.err).toContain('stream missing [EVENT_STORE_UNAVAILABLE]');

    const store = await storeWith(encoded(signedIn));
    const broken: EventStore = {
      ...store,
      readStream: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('read failed')) }),
      }),
    };
    const opener = openerOf(broken);
    const failedRead = await run({}, opener.openStore);
    expect(failedRead.code).toBe(EXIT_FAILURE);
    expect(failedRead.err).toContain('read failed [EVENT_STORE_UNAVAILABLE]');
    expect(opener.closed()).toBe(1);
  });
});

describe('parseReplayArgs and runReplayCommand', () => {
  it('reads the attempt and the options, with the documented defaults', () => {
    expect(parseReplayArgs(['a1'])).toEqual({
      attemptId: 'a1',
      natsUrl: DEFAULT_NATS_URL,
      tenant: DEFAULT_TENANT,
      format: 'text',
      output: null,
    });
    expect(DEFAULT_NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(DEFAULT_TENANT).toBe('default');
    expect(parseReplayArgs(['--json', '--tenant', 'acme', 'a1', '--nats', 'nats://h:1'])).toEqual({
      attemptId: 'a1',
      natsUrl: 'nats://h:1',
      tenant: 'acme',
      format: 'json',
      output: null,
    });
  });

  it('answers a usage problem as a string', () => {
    expect(parseReplayArgs([])).toMatch(/attempt id is required/);
    expect(parseReplayArgs(['a1', 'a2'])).toMatch(/one attempt at a time/);
    expect(typeof parseReplayArgs(['a1', '--jsn'])).toBe('string');
    expect(typeof parseReplayArgs(['a1', '--tenant'])).toBe('string');
  });

  it('refuses bad arguments with exit 2 and runs good ones', async () => {
    let err = '';
    const io = { out: () => undefined, err: (t: string) => (err += t) };
    expect(await runReplayCommand(['a1', '--bogus'], io, refusingOpener)).toBe(EXIT_USAGE);
    expect(err).toContain('replay: ');
    expect(err).toContain('[USAGE_ERROR]');
    const opener = openerOf(await storeWith(encoded(signedIn)));
    expect(await runReplayCommand([ATTEMPT, '--tenant', TENANT], io, opener.openStore)).toBe(
      EXIT_OK,
    );
  });
});

describe('connecting to NATS', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(
      servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
    );
  });

  /** A TCP port that takes connections and never says a word, as a hung server would. */
  const silentPort = async (): Promise<number> => {
    const server = createServer((socket) => sockets.push(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  };

  /** A port nothing listens on: taken from the system, then let go. */
  const closedPort = async (): Promise<number> => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  };

  it('gives up on a refused connection with NATS_UNREACHABLE', async () => {
    const url = `nats://127.0.0.1:${await closedPort()}`;
    const error = await connectToNats(url, 2_000).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NatsUnreachableError);
    expect((error as NatsUnreachableError).code).toBe('NATS_UNREACHABLE');
    expect((error as Error).message).toContain(url);
  });

  it('gives up on a server that never answers within the time-out', async () => {
    const url = `nats://127.0.0.1:${await silentPort()}`;
    const started = Date.now();
    const error = await connectToNats(url, 300).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NatsUnreachableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('natsStoreOpener builds no store when NATS is unreachable', async () => {
    let built = 0;
    const openStore = natsStoreOpener(() => {
      built += 1;
      return createInMemoryEventStore();
    }, 1_000);
    const { code, err } = await run(
      { natsUrl: `nats://127.0.0.1:${await closedPort()}` },
      openStore,
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain('[NATS_UNREACHABLE]');
    expect(built).toBe(0);
  });
});
