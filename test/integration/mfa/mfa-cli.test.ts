import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMfaCommand } from '../../../src/cli/commands/mfa.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from '../../../src/cli/io.js';
import type { MfaAdmin, MfaEnrolments } from '../../../src/actors/ports/mfa.js';
import { MFA_BUCKET, createKvMfaEnrolments } from '../../../src/infra/mfa/kv-enrolments.js';
import { mfaKey } from '../../../src/infra/mfa/mfa-keys.js';
import { totpCodeAt } from '../../../src/infra/mfa/totp.js';
import { freshTenant } from '../../contract/fresh-names.js';
import { connectClient, withNatsServer, type TestNatsServer } from '../../support/nats-server.js';
import { recordingLogger } from '../agents/fixtures.js';

/**
 * `passage mfa` against a real nats-server, called as run-cli.ts will call it, with the
 * output kept in buffers. The enrolments it makes are checked through the KV adapter.
 */

let nats: TestNatsServer;
let nc: NatsConnection;
let mfa: MfaEnrolments & MfaAdmin;

beforeAll(async () => {
  nats = await withNatsServer();
  nc = await connectClient(nats.server.url);
  mfa = await createKvMfaEnrolments({ nc, logger: recordingLogger() });
});
afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

const bufferIo = () => {
  const buffers = { out: '', err: '' };
  const io: CliIo = {
    out: (text) => (buffers.out += text),
    err: (text) => (buffers.err += text),
  };
  return { io, buffers };
};

/** Runs `passage mfa …` with the test server's URL in the environment (and `env` on top). */
const run = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => {
  const { io, buffers } = bufferIo();
  const code = await runMfaCommand(args, io, {
    env: { PASSAGE_NATS_URL: nats.server.url, ...env },
  });
  return { code, ...buffers };
};

/** The URI and secret lines of `enroll`'s output, and whatever follows them (the QR code). */
const enrolmentOf = (out: string) => {
  const [uri = '', secret = '', ...rest] = out.split('\n');
  return { uri, secret, rest: rest.join('\n') };
};

/** Half-block characters `qrcode` draws a small terminal QR code with. */
const QR_BLOCKS = /[▀▄█]/;

describe('passage mfa enroll', () => {
  it('prints the otpauth URI, the secret and a QR code, and enrols the user', async () => {
    const tenant = freshTenant();
    const { code, out, err } = await run(['enroll', 'Alice', '--tenant', tenant]);
    expect(code).toBe(EXIT_OK);
    const { uri, secret, rest } = enrolmentOf(out);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toBe(
      `otpauth://totp/passage:Alice?issuer=passage&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(rest).toMatch(QR_BLOCKS);
    expect(rest.split('\n').length).toBeGreaterThan(10);
    expect(out.endsWith('\n')).toBe(true);
    expect(err).toContain(`enrolled Alice in tenant ${tenant}`);
    // The secret goes to stdout only: stderr may end up in a log.
    expect(err).not.toContain(secret);

    // The secret printed is the one stored: its code is accepted, for any spelling of the name.
    const now = new Date();
    expect(await mfa.verify(tenant, 'alice', totpCodeAt(secret, now), now)).toEqual({
      kind: 'valid',
    });
  });

  it('leaves the QR code out with --no-qr, and takes the issuer from --issuer', async () => {
    const tenant = freshTenant();
    const { code, out } = await run(['enroll', 'bob', '--no-qr', '--issuer', 'Example Corp'], {
      PASSAGE_TENANT: tenant,
    });
    expect(code).toBe(EXIT_OK);
    const { uri, secret, rest } = enrolmentOf(out);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Example%20Corp:bob\?issuer=Example%20Corp&secret=/);
    expect(uri).toContain(`secret=${secret}`);
    expect(rest).toBe('');
    expect(out).not.toMatch(QR_BLOCKS);
    expect(await mfa.isEnrolled(tenant, 'bob')).toBe(true);
  });

  it('refuses to enrol a user twice, and replaces the secret with --replace', async () => {
    const tenant = freshTenant();
    const first = await run(['enroll', 'carol', '--tenant', tenant, '--no-qr']);
    expect(first.code).toBe(EXIT_OK);

    const again = await run(['enroll', 'CAROL', '--tenant', tenant, '--no-qr']);
    expect(again.code).toBe(EXIT_FAILURE);
    expect(again.out).toBe('');
    expect(again.err).toMatch(/--replace.*\[MFA_ALREADY_ENROLLED\]\n$/);

    const replaced = await run(['enroll', 'carol', '--tenant', tenant, '--no-qr', '--replace']);
    expect(replaced.code).toBe(EXIT_OK);
    expect(replaced.err).toContain('re-enrolled carol');
    const oldSecret = enrolmentOf(first.out).secret;
    const newSecret = enrolmentOf(replaced.out).secret;
    expect(newSecret).not.toBe(oldSecret);
    const now = new Date();
    const newCode = totpCodeAt(newSecret, now);
    // Compared only when the two secrets' codes differ now (they share one about once in a
    // million runs), so that the old secret is seen to fail on its own account.
    if (totpCodeAt(oldSecret, now) !== newCode) {
      expect(await mfa.verify(tenant, 'carol', totpCodeAt(oldSecret, now), now)).toEqual({
        kind: 'invalid',
      });
    }
    expect(await mfa.verify(tenant, 'carol', newCode, now)).toEqual({ kind: 'valid' });
  });

  it('writes over a damaged enrolment, reporting the damage on stderr without the value', async () => {
    const tenant = freshTenant();
    const bucket = await new Kvm(nc).open(MFA_BUCKET);
    await bucket.put(mfaKey(tenant, 'dave'), '{"v":1,"secret":"SECRETSECRET"');
    const { code, err } = await run(['enroll', 'dave', '--tenant', tenant, '--no-qr']);
    expect(code).toBe(EXIT_OK);
    const warning = err.split('\n').find((line) => line.includes('mfa.enrolment.unreadable'));
    expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'warn', component: 'mfa', tenant });
    expect(err).not.toContain('SECRETSECRET');
    expect(await mfa.isEnrolled(tenant, 'dave')).toBe(true);
  });
});

describe('passage mfa remove', () => {
  it('removes an enrolment, and says so when there is none', async () => {
    const tenant = freshTenant();
    expect((await run(['enroll', 'erin', '--tenant', tenant, '--no-qr'])).code).toBe(EXIT_OK);

    const removed = await run(['remove', 'ERIN', '--tenant', tenant]);
    expect(removed.code).toBe(EXIT_OK);
    expect(JSON.parse(removed.out)).toEqual({ removed: 'ERIN', tenant });
    expect(await mfa.isEnrolled(tenant, 'erin')).toBe(false);

    const again = await run(['remove', 'erin', '--tenant', tenant]);
    expect(again.code).toBe(EXIT_FAILURE);
    expect(again.out).toBe('');
    expect(again.err).toContain('[MFA_NOT_ENROLLED]');
  });

  it('uses the tenant from PASSAGE_TENANT, and the flag over it', async () => {
    const tenant = freshTenant();
    const other = freshTenant();
    await mfa.enrol(tenant, 'frank', { issuer: 'passage', at: new Date() });
    // The flag wins over the environment: nothing to remove in `other`.
    const flagged = await run(['remove', 'frank', '--tenant', other], { PASSAGE_TENANT: tenant });
    expect(flagged.code).toBe(EXIT_FAILURE);
    expect(await mfa.isEnrolled(tenant, 'frank')).toBe(true);
    const fromEnv = await run(['remove', 'frank'], { PASSAGE_TENANT: tenant });
    expect(fromEnv.code).toBe(EXIT_OK);
    expect(await mfa.isEnrolled(tenant, 'frank')).toBe(false);
  });
});

describe('passage mfa: what it refuses', () => {
  it.each([
    [['enroll'], 'USAGE_ERROR', 'name exactly one user'],
    [['enroll', 'a', 'b'], 'USAGE_ERROR', 'name exactly one user'],
    [['enroll', ''], 'USAGE_ERROR', 'the user name'],
    [['enroll', 'line\nbreak'], 'USAGE_ERROR', 'the user name'],
    [['enroll', 'x'.repeat(257)], 'USAGE_ERROR', 'the user name'],
    [['enroll', 'alice', '--tenant', 'Not A Slug'], 'USAGE_ERROR', 'the tenant'],
    [['enroll', 'alice', '--issuer', 'a:b'], 'USAGE_ERROR', '--issuer'],
    [['enroll', 'alice', '--issuer', ''], 'USAGE_ERROR', '--issuer'],
    [['enroll', 'alice', '--bogus'], 'USAGE_ERROR', 'mfa enroll'],
    [['enroll', 'alice', '--tenant'], 'USAGE_ERROR', 'mfa enroll'],
    [['remove'], 'USAGE_ERROR', 'name exactly one user'],
    [['remove', 'alice', '--replace'], 'USAGE_ERROR', 'mfa remove'],
    [[], 'UNKNOWN_COMMAND', "unknown subcommand ''"],
    [['enrol', 'alice'], 'UNKNOWN_COMMAND', "unknown subcommand 'enrol'"],
  ])('refuses %j with %s, before reaching NATS', async (args, errorCode, text) => {
    // An unreachable server: a refusal must not depend on NATS answering.
    const { io, buffers } = bufferIo();
    const code = await runMfaCommand(args, io, {
      env: { PASSAGE_NATS_URL: 'nats://127.0.0.1:1' },
    });
    expect(code).toBe(EXIT_USAGE);
    expect(buffers.out).toBe('');
    expect(buffers.err).toContain(text);
    expect(buffers.err).toContain(`[${errorCode}]`);
  });

  it('refuses a lone surrogate in a user name with a coded failure, writing nothing', async () => {
    const tenant = freshTenant();
    const { code, out, err } = await run(['enroll', 'al\uD800ice', '--tenant', tenant]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe('');
    expect(err).toContain('[MFA_INVALID_USERNAME]');
  });

  it('rejects with NATS_UNREACHABLE when no server answers', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      // A port that was free a moment ago: nothing listens on it.
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    await expect(
      runMfaCommand(['enroll', 'alice'], bufferIo().io, {
        env: { PASSAGE_NATS_URL: `nats://127.0.0.1:${port}` },
      }),
    ).rejects.toMatchObject({ code: 'NATS_UNREACHABLE' });
  });
});
