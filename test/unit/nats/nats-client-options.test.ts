import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsClientOptions } from '../../../src/infra/nats/nats-client-options.js';
import { createNatsUserKey, writeNkeyFile } from '../../../src/infra/nats/nkey-file.js';

/** What a client is configured with, from a URL and the access files. */
let dir: string;
let seedFile: string;
let publicKey: string;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-client-options-'));
  const key = createNatsUserKey();
  publicKey = key.publicKey;
  seedFile = join(dir, 'user.nk');
  await writeNkeyFile(seedFile, key);
  await writeFile(join(dir, 'ca.pem'), PEM);
  await writeFile(join(dir, 'not-pem.txt'), 'hello');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('natsClientOptions', () => {
  it('without access: the servers of the list, nothing else', async () => {
    expect(await natsClientOptions(' nats://a:4222 , nats://b:4222 ')).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
    });
  });

  it("with a seed file: an NKey authenticator, and inboxes under the user's public key", async () => {
    const options = await natsClientOptions('nats://a:4222', { nkeyFile: seedFile });
    expect(options.inboxPrefix).toBe(`_INBOX.${publicKey}`);
    expect(typeof options.authenticator).toBe('function');
  });

  it('TLS with the CA when one is given, with the system CAs for a tls:// URL without one', async () => {
    const withCa = await natsClientOptions('nats://a:4222', { caFile: join(dir, 'ca.pem') });
    expect(withCa.tls).toEqual({ ca: PEM });
    expect((await natsClientOptions('tls://a:4222')).tls).toEqual({});
    expect((await natsClientOptions('nats://a:4222')).tls).toBeUndefined();
  });

  it('refuses a CA file it cannot read or that holds no certificate', async () => {
    await expect(
      natsClientOptions('tls://a:4222', { caFile: join(dir, 'missing.pem') }),
    ).rejects.toMatchObject({ code: 'NATS_CA_FILE_UNREADABLE' });
    await expect(
      natsClientOptions('tls://a:4222', { caFile: join(dir, 'not-pem.txt') }),
    ).rejects.toMatchObject({ code: 'NATS_CA_FILE_INVALID' });
  });

  it('refuses a seed file it cannot use, with its code', async () => {
    await expect(
      natsClientOptions('nats://a:4222', { nkeyFile: join(dir, 'missing.nk') }),
    ).rejects.toMatchObject({ code: 'NATS_NKEY_FILE_NOT_FOUND' });
  });
});
