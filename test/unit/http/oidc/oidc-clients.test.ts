import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOidcClients, parseOidcClients } from '../../../../src/infra/http/oidc/oidc-clients.js';
import { normalizePublicUrl } from '../../../../src/infra/http/oidc/register-oidc.js';

const SECRET = 'portal-secret-0123456789abcdef-0123456789';
const portal = {
  client_id: 'portal',
  client_secret: SECRET,
  redirect_uris: ['https://portal.example/callback'],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passage-clients-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The problems a refused clients list reports. */
const problemsOf = (clients: unknown): string[] => {
  try {
    parseOidcClients(JSON.stringify(clients), 'clients.json');
  } catch (error) {
    expect(error).toMatchObject({ code: 'OIDC_CLIENTS_INVALID' });
    return (error as { problems: string[] }).problems;
  }
  throw new Error('accepted');
};

describe('loadOidcClients', () => {
  it('reads confidential and public clients, code flow only', async () => {
    const file = join(dir, 'clients.json');
    await writeFile(
      file,
      JSON.stringify([
        { ...portal, client_name: 'Portal' },
        {
          client_id: 'cli',
          token_endpoint_auth_method: 'none',
          redirect_uris: ['http://127.0.0.1:8765/cb', 'com.example.cli:/cb'],
        },
      ]),
    );
    const clients = await loadOidcClients(file);
    expect(clients).toEqual([
      {
        ...portal,
        client_name: 'Portal',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      {
        client_id: 'cli',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1:8765/cb', 'com.example.cli:/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ]);
  });

  it('says when the file is missing, and never quotes a secret when it is not JSON', async () => {
    await expect(loadOidcClients(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'OIDC_CLIENTS_NOT_FOUND',
    });
    const file = join(dir, 'broken.json');
    await writeFile(file, `[{"client_secret": "${SECRET}"`);
    const refused = loadOidcClients(file);
    await expect(refused).rejects.toMatchObject({ code: 'OIDC_CLIENTS_INVALID' });
    await refused.catch((error: Error) => expect(error.message).not.toContain(SECRET));
  });

  it('refuses unsafe redirect URIs', () => {
    for (const uri of [
      'http://portal.example/cb',
      'https://portal.example/cb#fragment',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(problemsOf([{ ...portal, redirect_uris: [uri] }])[0]).toMatch(
        /^0\.redirect_uris\.0: /,
      );
    }
    expect(problemsOf([{ ...portal, redirect_uris: [] }])).toEqual([
      '0.redirect_uris: name at least one',
    ]);
  });

  it('refuses weak or missing secrets, and a secret on a public client', () => {
    expect(problemsOf([{ ...portal, client_secret: 'short' }])).toEqual([
      '0.client_secret: must be at least 32 characters (use a random one)',
    ]);
    expect(problemsOf([{ client_id: 'p', redirect_uris: portal.redirect_uris }])).toEqual([
      '0.client_secret: is required with client_secret_basic',
    ]);
    expect(problemsOf([{ ...portal, token_endpoint_auth_method: 'none' }])).toEqual([
      '0.client_secret: a public client (token_endpoint_auth_method none) has no secret',
    ]);
    const messages = problemsOf([{ ...portal, client_secret: 'short' }]).join('\n');
    expect(messages).not.toContain('short"');
  });

  it('refuses unknown keys, duplicates, the demo client id, and bad client ids', () => {
    expect(problemsOf([{ ...portal, redirect_uri: 'https://x.example/cb' }])[0]).toMatch(/^0: /);
    expect(problemsOf([portal, portal])).toEqual([
      '1.client_id: client_id portal is registered twice',
    ]);
    expect(problemsOf([{ ...portal, client_id: 'passage-demo' }])).toEqual([
      '0.client_id: passage-demo is the built-in demo client',
    ]);
    expect(problemsOf([{ ...portal, client_id: 'has space' }])[0]).toMatch(/^0\.client_id: /);
    expect(problemsOf({ clients: [] })[0]).toMatch(/^\(file\): /);
  });
});

describe('the public URL', () => {
  it('is an absolute http(s) URL, kept without a trailing slash', () => {
    expect(normalizePublicUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(normalizePublicUrl('https://login.example/passage/')).toBe(
      'https://login.example/passage',
    );
    for (const bad of [
      'ftp://x',
      'relative/path',
      'https://x.example/?q=1',
      'https://u:p@x.example',
    ]) {
      expect(() => normalizePublicUrl(bad)).toThrow(
        expect.objectContaining({ code: 'OIDC_PUBLIC_URL_INVALID' }),
      );
    }
  });
});
