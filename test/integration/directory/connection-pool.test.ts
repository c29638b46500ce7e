import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/actors/ports/directory.js';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';
import { addressOf, directories, FAST, slapdConfig } from './directory-configs.js';
import { startTcpRelay, type TcpRelay } from './tcp-relay.js';

const { slapd } = directories();
const good = slapd.users.good;

// Every connection the directory opens goes through the relay, which counts them and can
// close them all, as a directory does with idle connections.
let relay: TcpRelay;
let directory: Directory;
const POOL_SIZE = 2;

beforeEach(async () => {
  relay = await startTcpRelay(addressOf(slapd.ldapsUrl));
  directory = createLdapDirectory(
    slapdConfig({ urls: [`ldaps://127.0.0.1:${relay.port}`], poolSize: POOL_SIZE, ...FAST }),
  );
});
afterEach(async () => {
  await directory.close();
  await relay.close();
});

const signInGood = () => directory.validate(good.uid, good.attemptPassword);
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('connections to one server', () => {
  it('reuses one service connection for searches and one other for the users’ binds', async () => {
    for (let i = 0; i < 5; i += 1) expect((await signInGood()).result).toBe('success');
    expect(relay.connections()).toBe(1 + 1);
  });

  it('keeps a bind connection after a refused password, and binds the next user on it', async () => {
    const badpass = slapd.users.badpass; // a wrong password, under a policy that never locks
    expect((await directory.validate(badpass.uid, badpass.attemptPassword)).result).toBe(
      'invalidCredentials',
    );
    expect((await signInGood()).result).toBe('success');
    expect(relay.connections()).toBe(1 + 1);
  });

  it('survives the server closing its idle connections', async () => {
    expect((await signInGood()).result).toBe('success');
    relay.dropAll();
    await settle(); // the pooled connection has seen its socket close
    expect((await signInGood()).result).toBe('success');
    expect(relay.connections()).toBe(2 + 2);
  });

  it('resends a search once when the connection dies under it', async () => {
    expect((await signInGood()).result).toBe('success');
    // Closed on the server's side, but the client has not noticed yet: the search goes out on
    // a dead connection, fails, and is sent again on a fresh one.
    relay.dropAll();
    expect((await signInGood()).result).toBe('success');
    expect(relay.connections()).toBe(2 + 2);
  });

  it(`opens at most ${POOL_SIZE} search connections, however many sign-ins arrive`, async () => {
    relay.hold(); // connections stall in their TLS handshake, so none can finish and be reused
    const answers = Promise.all(Array.from({ length: 20 }, () => signInGood()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(relay.connections()).toBe(POOL_SIZE);
    relay.release();
    expect((await answers).every((a) => a.result === 'success')).toBe(true);
  });

  it(`opens at most ${POOL_SIZE} bind connections at once`, async () => {
    // Two search connections, now idle, and no bind connection yet: nobody was found.
    const nobody = await Promise.all(
      ['nobody-1', 'nobody-2'].map((uid) => directory.validate(uid, 'whatever')),
    );
    expect(nobody.map((answer) => answer.result)).toEqual(['userNotFound', 'userNotFound']);
    const before = relay.connections();
    relay.hold(); // searches run on the pooled connections; the binds' connections stall
    const answers = Promise.all(Array.from({ length: 20 }, () => signInGood()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(relay.connections() - before).toBe(POOL_SIZE);
    relay.release();
    expect((await answers).every((a) => a.result === 'success')).toBe(true);
  });

  it('sends nothing for a refused username or an empty password', async () => {
    for (const username of ['', 'x'.repeat(10_000), 'good\u0000', 'good\n']) {
      expect(await directory.validate(username, good.attemptPassword)).toEqual({
        result: 'invalidCredentials',
        domainController: null,
        detail: expect.stringMatching(/^USERNAME_REFUSED: /) as string,
      });
    }
    expect(await directory.validate(good.uid, '')).toEqual({
      result: 'invalidCredentials',
      domainController: null,
      detail: 'EMPTY_PASSWORD',
    });
    expect(relay.connections()).toBe(0);
  });

  it('answers directoryUnavailable after close, without a connection', async () => {
    await directory.close();
    expect(await signInGood()).toEqual({
      result: 'directoryUnavailable',
      domainController: null,
      detail: 'DIRECTORY_CLOSED',
    });
    expect(relay.connections()).toBe(0);
  });

  it('lets a validation in flight finish before close resolves', async () => {
    const inFlight = signInGood();
    await directory.close();
    expect((await inFlight).result).toBe('success');
  });
});
