import Provider, {
  type AdapterFactory,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Logger } from '../../../actors/ports/logger.js';
import { markup, trusted } from '../../../actors/shared/html-markup.js';
import { renderDocument } from '../page/page-layout.js';
import { renderMessagePage } from '../page/sign-in-page.js';
import { newNonce, pageSecurityHeaders } from '../page/security-headers.js';
import type { OidcKeys } from './oidc-keys.js';

/**
 * The oidc-provider instance: authorization code with PKCE only, ID tokens signed RS256 with
 * the first key of jwks.json, `openid profile` with two claims, and passage's own pages for
 * the provider's errors and sign-out. Sessions, codes and interactions live in the KV store
 * when one is given (kv-adapter.ts), else in oidc-provider's in-memory adapter, which
 * belongs to one instance (see docs/oidc.md).
 */

/** The scopes passage grants, and the claims each one releases. */
export const OIDC_SCOPES = ['openid', 'profile'] as const;
// `amr` (RFC 8176: ['pwd'] or ['pwd', 'otp']) comes from the sign-in, not from the account:
// the interaction's login result carries it, and oidc-provider puts it in the ID token.
const CLAIMS = { openid: ['sub', 'amr'], profile: ['preferred_username'] };
const ALL_CLAIMS = ['sub', 'amr', 'preferred_username'];

export interface ProviderSetup {
  readonly issuer: string;
  readonly keys: OidcKeys;
  readonly clients: readonly ClientMetadata[];
  readonly logger: Logger;
  /** Trust X-Forwarded-* headers: passage speaks plain HTTP behind a TLS terminator. */
  readonly behindProxy: boolean;
  /** Where the provider keeps its state; oidc-provider's in-memory adapter when absent. */
  readonly adapter?: AdapterFactory;
}

/** An error page of the provider's, in passage's layout and with the pages' headers. */
const renderProviderError = (
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string | undefined },
): void => {
  const nonce = newNonce();
  ctx.set(pageSecurityHeaders({ nonce }));
  ctx.type = 'html';
  ctx.body = renderMessagePage({
    title: 'Sign-in could not continue',
    message: `${out.error_description ?? 'The request was not accepted.'} (${out.error})`,
    nonce,
  });
};

/**
 * RP-initiated logout asks the user first. `form` is the provider's own hidden form (it holds
 * the anti-forgery token); the buttons submit it. The answer redirects to the client's
 * post-logout URI, so the page lets forms lead there (`form-action`).
 */
const logoutSource = (ctx: KoaContextWithOIDC, form: string): void => {
  const nonce = newNonce();
  const client = ctx.oidc.client;
  ctx.set(pageSecurityHeaders({ nonce, formTargets: client?.postLogoutRedirectUris ?? [] }));
  ctx.type = 'html';
  ctx.body = renderDocument({
    title: 'Sign out',
    nonce,
    body: markup`<h1>Sign out?</h1>
<p class="lead">Do you want to sign out of passage${client === undefined ? '' : markup` and return to ${client.clientName ?? client.clientId}`}?</p>
${trusted(form)}
<div class="actions">
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" class="secondary" form="op.logoutForm">No, stay signed in</button>
</div>`,
  });
};

const postLogoutSuccessSource = (ctx: KoaContextWithOIDC): void => {
  const nonce = newNonce();
  ctx.set(pageSecurityHeaders({ nonce }));
  ctx.type = 'html';
  ctx.body = renderDocument({
    title: 'Signed out',
    nonce,
    body: markup`<h1>You are signed out</h1>
      <p role="status">You can close this window.</p>`,
  });
};

/**
 * First-party consent. Every client is registered by the operator (there is no dynamic
 * registration), so a user signing in to one of them is not asked whether it may know their
 * user name: passage grants `openid profile` (and the two claims) at once, as the screen a
 * user would click through says nothing the operator has not already decided. A grant the
 * session already holds for the client is reused.
 */
const loadExistingGrant: NonNullable<Configuration['loadExistingGrant']> = async (ctx) => {
  const { oidc } = ctx;
  const client = oidc.client;
  const accountId = oidc.session?.accountId;
  if (client === undefined || accountId === undefined) return undefined;
  const existingId =
    oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId) ?? undefined;
  if (existingId !== undefined) {
    const existing = await oidc.provider.Grant.find(existingId);
    if (existing !== undefined && existing.accountId === accountId) return existing;
  }
  const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId });
  grant.addOIDCScope(OIDC_SCOPES.join(' '));
  grant.addOIDCClaims(ALL_CLAIMS);
  await grant.save();
  return grant;
};

/**
 * The account is the user name the sign-in validated, lower-cased: `sub` and
 * `preferred_username` are both that name (passage keeps no profile of its own).
 */
const findAccount: NonNullable<Configuration['findAccount']> = (_ctx, accountId) =>
  accountId === ''
    ? undefined
    : {
        accountId,
        claims: () => ({ sub: accountId, preferred_username: accountId }),
      };

export const createOidcProvider = (setup: ProviderSetup): Provider => {
  const configuration: Configuration = {
    ...(setup.adapter === undefined ? {} : { adapter: setup.adapter }),
    clients: [...setup.clients],
    // The private JWKs: oidc-provider signs with them and publishes their public halves.
    jwks: { keys: setup.keys.signing.map((k) => ({ ...k })) },
    cookies: { keys: [...setup.keys.cookies] },
    features: {
      // The provider's built-in login pages are for development only; passage has its own.
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    // PKCE for every client, confidential ones too (OAuth 2.1); oidc-provider accepts S256 only.
    pkce: { required: () => true },
    responseTypes: ['code'],
    scopes: [...OIDC_SCOPES],
    claims: CLAIMS,
    // Scope claims go into the ID token as well, so an application needs no userinfo call
    // to know who signed in (the default keeps them for userinfo when an access token exists).
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // Seconds. A sign-in page lives half an hour; a session (single sign-on across the
    // registered applications) a working day; codes a minute; tokens an hour at most.
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 3600,
      Interaction: 1800,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    loadExistingGrant,
    findAccount,
    renderError: (ctx, out) => {
      renderProviderError(ctx, out);
    },
  };
  const provider = new Provider(setup.issuer, configuration);
  provider.proxy = setup.behindProxy;
  const { logger } = setup;
  // What the provider refuses is logged by its code; descriptions may quote request input.
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    logger.error('oidc.server-error', { name: error.name, message: error.message });
  });
  const refused =
    (event: string) =>
    (_ctx: unknown, error: { error?: string; name?: string }): void => {
      logger.warn(`oidc.${event}`, { error: error.error ?? error.name });
    };
  provider.on('authorization.error', refused('authorization.error'));
  provider.on('grant.error', refused('grant.error'));
  provider.on('end_session.error', refused('end_session.error'));
  return provider;
};
