import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToNats } from '../../../src/cli/nats-connection.js';
import { renderTls } from '../../../src/infra/nats/nats-authorization-config.js';
import { ensureStreams } from '../../../src/infra/jetstream/topology.js';
import {
  createTestCertificates,
  type TestCertificates,
} from '../../fixtures/directory/test-certificates.js';
import { withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { makeNatsUsers, type TestNatsUser } from '../../support/nats-users.js';
import { REPO_ROOT } from '../../support/passage-processes.js';

/**
 * NATS over TLS as passage's clients speak it: `tls://` and the CA that signed the server's
 * certificate (`--nats-ca-file`), verified, never turned off; with NKey users on top. A
 * server certificate no given CA signed, or no TLS at all, is NATS_TLS_FAILED.
 */
const TENANT = 'acme';
let workDir: string;
let nats: TestNatsServer;
let certs: TestCertificates;
let strangerCa: string;
let users: Record<'service' | 'auditor', TestNatsUser>;
let tlsUrl: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passage-nats-tls-'));
  certs = await createTestCertificates(join(workDir, 'server'), {
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  // Another CA, which signed nothing the server holds.
  strangerCa = (
    await createTestCertificates(join(workDir, 'stranger'), {
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['localhost'],
    })
  ).caFile;
  const made = await makeNatsUsers(
    workDir,
    {
      service: { role: 'service', tenant: TENANT },
      auditor: { role: 'auditor', tenants: [TENANT] },
    },
    [TENANT],
  );
  users = made.users;
  nats = await withNatsServer({ extraConfig: `${made.authorization}\n${renderTls(certs)}` });
  tlsUrl = nats.server.url.replace('nats://', 'tls://');
}, 60_000);

afterAll(async () => {
  await nats?.cleanup();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** The built CLI, with no PASSAGE_* variable but those given. */
const passage = (args: readonly string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !key.startsWith('PASSAGE_')),
      ),
      ...env,
    },
  });

const cli = (args: readonly string[]) =>
  passage(['audit', 'verify', '--tenant', TENANT, '--workers', '1', ...args]);

describe('NATS over TLS', () => {
  it('connects with tls:// and the CA, and the service does JetStream over it', async () => {
    const nc = await connectToNats(tlsUrl, 5_000, {
      nkeyFile: users.service.seedFile,
      caFile: certs.caFile,
    });
    try {
      expect(nc.info?.tls_required).toBe(true);
      await ensureStreams(await jetstreamManager(nc));
      expect((await (await jetstreamManager(nc)).streams.info('PASSAGE_EVENTS')).config.name).toBe(
        'PASSAGE_EVENTS',
      );
    } finally {
      await nc.close();
    }
  });

  it("reads the log through the CLI and its worker threads with the auditor's key and the CA", () => {
    const audit = cli([
      '--nats',
      tlsUrl,
      '--nats-nkey-file',
      users.auditor.seedFile,
      '--nats-ca-file',
      certs.caFile,
    ]);
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^audit of tenant acme/m);
  });

  it('takes the CA from PASSAGE_NATS_CA_FILE and the key from PASSAGE_NATS_NKEY_FILE', () => {
    const audit = cli(['--nats', tlsUrl]);
    expect(audit.status).toBe(1);
    const withEnv = passage(['audit', 'verify', '--tenant', TENANT, '--nats', tlsUrl], {
      PASSAGE_NATS_CA_FILE: certs.caFile,
      PASSAGE_NATS_NKEY_FILE: users.auditor.seedFile,
    });
    expect(withEnv.status, withEnv.stderr).toBe(0);
  });

  it('refuses a server whose certificate the CA did not sign, and a server without the CA', async () => {
    for (const caFile of [strangerCa, undefined]) {
      const refused = await connectToNats(tlsUrl, 5_000, {
        nkeyFile: users.service.seedFile,
        ...(caFile === undefined ? {} : { caFile }),
      }).then(
        () => 'connected',
        (error: unknown) => error,
      );
      expect(refused).toMatchObject({ code: 'NATS_TLS_FAILED' });
    }
    const stranger = cli([
      '--nats',
      tlsUrl,
      '--nats-nkey-file',
      users.auditor.seedFile,
      '--nats-ca-file',
      strangerCa,
    ]);
    expect(stranger.status).toBe(1);
    expect(stranger.stderr).toContain('[NATS_TLS_FAILED]');
  });

  it('refuses a CA file it cannot read or that holds no certificate, before connecting', async () => {
    const notPem = join(workDir, 'not-a-ca.pem');
    await writeFile(notPem, 'hello');
    const unreadable = cli(['--nats', tlsUrl, '--nats-ca-file', join(workDir, 'missing.pem')]);
    expect(unreadable.status).toBe(1);
    expect(unreadable.stderr).toContain('[NATS_CA_FILE_UNREADABLE]');
    const invalid = cli(['--nats', tlsUrl, '--nats-ca-file', notPem]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('[NATS_CA_FILE_INVALID]');
  });

  it('with the CA but no key, TLS comes up and the server refuses the client', () => {
    const anonymous = cli(['--nats', tlsUrl, '--nats-ca-file', certs.caFile]);
    expect(anonymous.status).toBe(1);
    expect(anonymous.stderr).toContain('[NATS_AUTHORIZATION_FAILED]');
  });
});
