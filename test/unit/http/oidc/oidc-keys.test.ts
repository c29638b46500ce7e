import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/actors/ports/logger.js';
import {
  COOKIE_KEYS_FILE,
  JWKS_FILE,
  loadOrCreateOidcKeys,
  removeSigningKey,
  rotateCookieKey,
  rotateSigningKey,
} from '../../../../src/infra/http/oidc/oidc-keys.js';
import { DEMO_CLIENT_ID } from '../../../../src/infra/http/oidc/oidc-clients.js';
import { startInMemorySignIn } from '../../../support/in-memory-sign-in.js';
import {
  authorizationFor,
  createFormClient,
  discoverAs,
  openSignInPage,
  startOidcTestApp,
  submitStep,
  verifyIdTokenSignature,
  waitPastChecking,
} from '../../../support/oidc-test-app.js';
import * as oidc from 'openid-client';

let root: string;
let keysDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'passage-oidc-keys-'));
  keysDir = join(root, 'oidc-keys');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const kidsInFile = async () =>
  (
    JSON.parse(await readFile(join(keysDir, JWKS_FILE), 'utf8')) as { keys: { kid: string }[] }
  ).keys.map((k) => k.kid);

describe('the provider\u2019s key files', () => {
  it('are created on first start: directory 0700, files 0600, one RS256 key and one cookie key', async () => {
    const keys = await loadOrCreateOidcKeys(keysDir, silentLogger);
    expect(await modeOf(keysDir)).toBe(0o700);
    expect(await modeOf(join(keysDir, JWKS_FILE))).toBe(0o600);
    expect(await modeOf(join(keysDir, COOKIE_KEYS_FILE))).toBe(0o600);
    expect(keys.signing).toHaveLength(1);
    expect(keys.signing[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys.signing[0]?.d).toBeTruthy();
    expect(keys.cookies).toHaveLength(1);
    expect(keys.cookies[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('are read back unchanged on the next start', async () => {
    const first = await loadOrCreateOidcKeys(keysDir, silentLogger);
    const second = await loadOrCreateOidcKeys(keysDir, silentLogger);
    expect(second).toEqual(first);
  });

  it('are created once when two instances start at the same moment', async () => {
    const [a, b] = await Promise.all([
      loadOrCreateOidcKeys(keysDir, silentLogger),
      loadOrCreateOidcKeys(keysDir, silentLogger),
    ]);
    expect(a).toEqual(b);
  });

  it('rotation puts the new key first and keeps the older ones; the signing key cannot be removed', async () => {
    const initial = await loadOrCreateOidcKeys(keysDir, silentLogger);
    const oldKid = initial.signing[0]?.kid ?? '';
    const afterRotation = await rotateSigningKey(keysDir);
    expect(afterRotation).toHaveLength(2);
    expect(afterRotation[1]).toBe(oldKid);
    expect(afterRotation[0]).not.toBe(oldKid);
    expect(await kidsInFile()).toEqual(afterRotation);
    expect(await modeOf(join(keysDir, JWKS_FILE))).toBe(0o600);
    await expect(removeSigningKey(keysDir, afterRotation[0] ?? '')).rejects.toMatchObject({
      code: 'OIDC_KEY_NOT_REMOVABLE',
    });
    await expect(removeSigningKey(keysDir, 'no-such-kid')).rejects.toMatchObject({
      code: 'OIDC_KEY_NOT_REMOVABLE',
    });
    expect(await removeSigningKey(keysDir, oldKid)).toEqual([afterRotation[0]]);
    expect(await kidsInFile()).toEqual([afterRotation[0]]);
  });

  it('cookie key rotation puts the new key first and keeps a bounded number of older ones', async () => {
    const initial = await loadOrCreateOidcKeys(keysDir, silentLogger);
    expect(await rotateCookieKey(keysDir, 2)).toBe(2);
    expect(await rotateCookieKey(keysDir, 2)).toBe(3);
    expect(await rotateCookieKey(keysDir, 2)).toBe(3);
    const now = await loadOrCreateOidcKeys(keysDir, silentLogger);
    expect(now.cookies).toHaveLength(3);
    expect(now.cookies).not.toContain(initial.cookies[0]);
  });

  it('refuses a key file others can read, a symbolic link, or one that is not a key file', async () => {
    await loadOrCreateOidcKeys(keysDir, silentLogger);
    const jwks = join(keysDir, JWKS_FILE);
    await chmod(jwks, 0o644);
    await expect(loadOrCreateOidcKeys(keysDir, silentLogger)).rejects.toMatchObject({
      code: 'OIDC_KEYS_INSECURE',
    });
    await chmod(jwks, 0o600);

    const other = join(root, 'other');
    await mkdir(other, { mode: 0o700 });
    await writeFile(join(other, 'target.json'), '{}', { mode: 0o600 });
    await symlink(join(other, 'target.json'), join(other, JWKS_FILE));
    await expect(loadOrCreateOidcKeys(other, silentLogger)).rejects.toMatchObject({
      code: 'OIDC_KEYS_INSECURE',
    });

    const bad = join(root, 'bad');
    await mkdir(bad, { mode: 0o700 });
    await writeFile(join(bad, JWKS_FILE), 'not json {', { mode: 0o600 });
    await expect(loadOrCreateOidcKeys(bad, silentLogger)).rejects.toMatchObject({
      code: 'OIDC_KEYS_INVALID',
    });
    await writeFile(join(bad, JWKS_FILE), JSON.stringify({ keys: [{ kty: 'oct', k: 'x' }] }), {
      mode: 0o600,
    });
    const refused = loadOrCreateOidcKeys(bad, silentLogger);
    await expect(refused).rejects.toMatchObject({ code: 'OIDC_KEYS_INVALID' });
    // The problems name fields, never key material.
    await refused.catch((error: { problems: string[] }) => {
      expect(error.problems.join('\n')).toMatch(/keys\.0\.kty/);
    });
    await writeFile(join(bad, JWKS_FILE), JSON.stringify({ keys: [] }), { mode: 0o600 });
    await expect(loadOrCreateOidcKeys(bad, silentLogger)).rejects.toMatchObject({
      code: 'OIDC_KEYS_INVALID',
      problems: ['keys: holds no key'],
    });
  });

  it('a rotated provider signs with the new key and still publishes the old one', async () => {
    const first = await loadOrCreateOidcKeys(keysDir, silentLogger);
    const [newKid, oldKid] = await rotateSigningKey(keysDir);
    expect(oldKid).toBe(first.signing[0]?.kid);
    const stack = await startInMemorySignIn({ users: { ada: { password: 'pw-for-ada' } } });
    const server = await startOidcTestApp({ flow: stack.flow, keysDir });
    try {
      const config = await discoverAs(server.issuer, DEMO_CLIENT_ID);
      const redirectUri = `${server.publicUrl}/demo/callback`;
      const browser = createFormClient(server.publicUrl, { stopAt: [redirectUri] });
      const auth = await authorizationFor(config, redirectUri);
      const page = await openSignInPage(browser, auth.url);
      const { page: passwordPage } = await submitStep(browser, page, 'username', {
        username: 'ada',
      });
      const { page: after } = await submitStep(browser, passwordPage, 'password', {
        password: 'pw-for-ada',
      });
      const done = await waitPastChecking(browser, after);
      const tokens = await oidc.authorizationCodeGrant(
        config,
        new URL(done.headers.get('location') ?? ''),
        {
          pkceCodeVerifier: auth.codeVerifier,
          expectedState: auth.state,
          expectedNonce: auth.nonce,
        },
      );
      const signature = await verifyIdTokenSignature(server.issuer, tokens.id_token ?? '');
      expect(signature).toMatchObject({ kid: newKid, valid: true });
      expect(signature.published).toEqual([newKid, oldKid]);
    } finally {
      await server.stop();
      await stack.stop();
    }
  });
});
