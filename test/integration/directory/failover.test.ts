import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapDirectory } from '../../../src/infra/directory/index.js';
import { addressOf, directories, FAST, sambaConfig, slapdConfig } from './directory-configs.js';
import { startSilentServer, type SilentServer } from './silent-server.js';
import { startTcpRelay, type TcpRelay } from './tcp-relay.js';
import { startTlsImpostor, type TlsImpostor } from './tls-impostor.js';

const { slapd, samba } = directories();
const good = slapd.users.good;
const real = addressOf(slapd.ldapsUrl);
const realLabel = real.label;
const CLOSED = 'ldaps://127.0.0.1:1';

let silent: SilentServer;
let impostor: TlsImpostor;
let otherAddress: TcpRelay;
const scratch = mkdtempSync(join(tmpdir(), 'passage-directory-failover-'));

beforeAll(async () => {
  silent = await startSilentServer();
  impostor = await startTlsImpostor(join(scratch, 'impostor'), { ...real, caFile: slapd.caFile });
  // The real server, reached at an address its certificate does not name.
  otherAddress = await startTcpRelay(real, '127.0.0.2');
});
afterAll(async () => {
  await Promise.all([silent.close(), impostor.close(), otherAddress.close()]);
  rmSync(scratch, { recursive: true, force: true });
});

/** Validates the good user once with a directory made for `urls`, then closes it. */
const validateOnce = async (urls: string[], extra: { allowPlainLdap?: boolean } = {}) => {
  const directory = createLdapDirectory(slapdConfig({ urls, ...FAST, ...extra }));
  try {
    const started = performance.now();
    const answer = await directory.validate(good.uid, good.attemptPassword);
    return { answer, ms: performance.now() - started };
  } finally {
    await directory.close();
  }
};

describe('failover between servers', () => {
  it('moves past a closed port to the next server, which answers', async () => {
    const { answer } = await validateOnce([CLOSED, slapd.ldapsUrl]);
    expect(answer).toMatchObject({ result: 'success', domainController: realLabel });
  });

  it('moves past a closed port with Active Directory too (UPN logins bind without a search)', async () => {
    const directory = createLdapDirectory(sambaConfig({ urls: [CLOSED, samba.ldapsUrl] }));
    try {
      const { good: user } = samba.users;
      expect(await directory.validate(user.upn, user.attemptPassword)).toMatchObject({
        result: 'success',
        domainController: addressOf(samba.ldapsUrl).label,
      });
    } finally {
      await directory.close();
    }
  });

  it('answers directoryUnavailable naming every failure when no server can be reached', async () => {
    const { answer } = await validateOnce([CLOSED, 'ldaps://127.0.0.1:2']);
    expect(answer.result).toBe('directoryUnavailable');
    expect(answer.domainController).toBeNull();
    expect(answer.detail).toBe(
      'ALL_SERVERS_FAILED: 127.0.0.1:1 search: connection refused (ECONNREFUSED); ' +
        '127.0.0.1:2 search: connection refused (ECONNREFUSED)',
    );
  });

  it('gives up on an LDAPS server that accepts TCP but never answers, within the time-out', async () => {
    const { answer, ms } = await validateOnce([`ldaps://127.0.0.1:${silent.port}`]);
    expect(answer).toMatchObject({ result: 'directoryUnavailable', domainController: null });
    expect(answer.detail).toContain('no connection within the connect time-out');
    expect(ms).toBeLessThan(FAST.connectTimeoutMs + 500);
  });

  it('gives up on a plain LDAP server that never answers, within the operation time-out', async () => {
    const { answer, ms } = await validateOnce([`ldap://127.0.0.1:${silent.port}`], {
      allowPlainLdap: true,
    });
    expect(answer).toMatchObject({ result: 'directoryUnavailable', domainController: null });
    expect(answer.detail).toContain('no answer within the operation time-out');
    expect(ms).toBeLessThan(FAST.operationTimeoutMs + 500);
  });

  it('moves past a silent server to the next one', async () => {
    const { answer } = await validateOnce([`ldaps://127.0.0.1:${silent.port}`, slapd.ldapsUrl]);
    expect(answer).toMatchObject({ result: 'success', domainController: realLabel });
  });

  it('calls a server whose certificate does not verify an outage, never a bad password', async () => {
    // Behind the impostor is the real directory: without verification this would sign in.
    const { answer } = await validateOnce([`ldaps://127.0.0.1:${impostor.port}`]);
    expect(answer.result).toBe('directoryUnavailable');
    expect(answer.detail).toMatch(/certificate not trusted|TLS failed/);
  });

  it('calls a certificate for another host an outage (127.0.0.2 is not in its names)', async () => {
    const { answer } = await validateOnce([`ldaps://127.0.0.2:${otherAddress.port}`]);
    expect(answer.result).toBe('directoryUnavailable');
    expect(answer.detail).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('never fails over on a refused password: the first server that answers decides', async () => {
    const relay = await startTcpRelay(real);
    try {
      const directory = createLdapDirectory(
        slapdConfig({ urls: [slapd.ldapsUrl, `ldaps://127.0.0.1:${relay.port}`], ...FAST }),
      );
      const answer = await directory.validate(good.uid, `${good.attemptPassword}-wrong`);
      await directory.close();
      expect(answer).toMatchObject({ result: 'invalidCredentials', domainController: realLabel });
      expect(relay.connections()).toBe(0);
    } finally {
      await relay.close();
    }
  });

  it('asks a server that just failed last, while it stays down', async () => {
    const directory = createLdapDirectory(
      slapdConfig({ urls: [`ldaps://127.0.0.1:${silent.port}`, slapd.ldapsUrl], ...FAST }),
    );
    try {
      const first = performance.now();
      await directory.validate(good.uid, good.attemptPassword);
      const firstMs = performance.now() - first;
      const before = silent.connections();
      const second = performance.now();
      const answer = await directory.validate(good.uid, good.attemptPassword);
      expect(answer).toMatchObject({ result: 'success', domainController: realLabel });
      expect(silent.connections()).toBe(before);
      expect(performance.now() - second).toBeLessThan(firstMs);
    } finally {
      await directory.close();
    }
  });
});
