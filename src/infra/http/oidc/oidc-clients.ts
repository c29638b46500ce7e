import { readFile } from 'node:fs/promises';
import type { ClientMetadata } from 'oidc-provider';
import { z } from 'zod';
import { errnoOf, OidcSetupError } from './oidc-errors.js';

/**
 * The applications (relying parties) that may sign users in through passage: the demo
 * application, always, and the ones an operator lists in a JSON file (`--oidc-clients`).
 * Every registered client is first-party: its users are not asked to consent (see
 * provider-config.ts), so only an operator registers clients, never the clients themselves.
 */

export const DEMO_CLIENT_ID = 'passage-demo';
export const DEMO_CALLBACK_PATH = '/demo/callback';

/** The demo application: a public client (no secret) that proves possession with PKCE. */
export const demoClient = (publicUrl: string): ClientMetadata => ({
  client_id: DEMO_CLIENT_ID,
  client_name: 'passage demo application',
  token_endpoint_auth_method: 'none',
  redirect_uris: [`${publicUrl}${DEMO_CALLBACK_PATH}`],
  post_logout_redirect_uris: [`${publicUrl}/`],
  grant_types: ['authorization_code'],
  response_types: ['code'],
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether an http:// URL only ever reaches this machine, so that TLS adds nothing. */
export const isLoopbackHttp = (url: URL): boolean =>
  url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);

/**
 * A redirect URI passage will send codes to: https, http on a loopback address (RFC 8252
 * §7.3), or a native application's private-use scheme with a dot (RFC 8252 §7.1,
 * `com.example.app:/callback`). No fragment: the code must not end up in one.
 */
const redirectUri = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not an absolute URL' });
    return;
  }
  if (url.hash !== '') ctx.addIssue({ code: 'custom', message: 'may not have a fragment' });
  const privateUse = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/i.test(url.protocol);
  if (url.protocol !== 'https:' && !isLoopbackHttp(url) && !privateUse) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be https, http on 127.0.0.1, [::1] or localhost, or a reverse-DNS scheme',
    });
  }
});

// The same bounds as the application id that sign-in events record (ClientSchema).
const clientId = z
  .string()
  .regex(/^[A-Za-z0-9._~:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ ~ : -')
  .refine((id) => id !== DEMO_CLIENT_ID, `${DEMO_CLIENT_ID} is the built-in demo client`);

const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

const ClientEntrySchema = z
  .strictObject({
    client_id: clientId,
    client_name: z
      .string()
      .min(1)
      .max(128)
      // eslint-disable-next-line no-control-regex
      .refine((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s), 'may not hold control characters')
      .optional(),
    /** Confidential clients authenticate at the token endpoint; public ones send `none`. */
    token_endpoint_auth_method: z.enum(AUTH_METHODS).default('client_secret_basic'),
    client_secret: z
      .string()
      .min(32, 'must be at least 32 characters (use a random one)')
      .max(512)
      .optional(),
    redirect_uris: z.array(redirectUri).min(1, 'name at least one').max(20),
    post_logout_redirect_uris: z.array(redirectUri).max(20).optional(),
  })
  .superRefine((client, ctx) => {
    const isPublic = client.token_endpoint_auth_method === 'none';
    if (isPublic && client.client_secret !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_secret'],
        message: 'a public client (token_endpoint_auth_method none) has no secret',
      });
    }
    if (!isPublic && client.client_secret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_secret'],
        message: `is required with ${client.token_endpoint_auth_method}`,
      });
    }
  });

const ClientsFileSchema = z
  .array(ClientEntrySchema)
  .max(1000)
  .superRefine((clients, ctx) => {
    const seen = new Set<string>();
    clients.forEach((client, index) => {
      if (seen.has(client.client_id)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'client_id'],
          message: `client_id ${client.client_id} is registered twice`,
        });
      }
      seen.add(client.client_id);
    });
  });

/** Reads clients from JSON text; `source` names it in messages. */
export const parseOidcClients = (text: string, source: string): ClientMetadata[] => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message may quote the text, and the text may hold client secrets.
    throw new OidcSetupError('OIDC_CLIENTS_INVALID', `${source} is not JSON`, ['(file): not JSON']);
  }
  const parsed = ClientsFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new OidcSetupError(
      'OIDC_CLIENTS_INVALID',
      `${source} holds clients passage refuses:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      problems,
    );
  }
  // Code flow only: no implicit or hybrid responses, no refresh tokens (sign-in only).
  return parsed.data.map((client): ClientMetadata => ({
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }));
};

/**
 * Reads the clients file: a JSON array of clients, e.g.
 * `[{ "client_id": "portal", "client_secret": "…", "redirect_uris": ["https://…/cb"] }]`.
 * Refuses unknown keys (a typo is not silently ignored), weak secrets, unsafe redirect URIs
 * and duplicates, with `OIDC_CLIENTS_INVALID` and one problem per line.
 */
export const loadOidcClients = async (file: string): Promise<ClientMetadata[]> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') {
      throw new OidcSetupError('OIDC_CLIENTS_NOT_FOUND', `${file} does not exist`);
    }
    throw new OidcSetupError('OIDC_CLIENTS_UNREADABLE', `cannot read ${file}: ${code ?? 'error'}`);
  }
  return parseOidcClients(text, file);
};
