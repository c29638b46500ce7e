import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance } from 'fastify';
import type { ClientMetadata } from 'oidc-provider';
import type { Clock } from '../../../actors/ports/clock.js';
import type { Logger } from '../../../actors/ports/logger.js';
import type { SignInFlow } from '../../../actors/signin/flow-types.js';
import { registerDemoApp } from './demo-app.js';
import { registerInteractionRoutes } from './interaction-routes.js';
import { createKvOidcStore } from './kv-adapter.js';
import { mountProvider, OIDC_PREFIX } from './mount-provider.js';
import { DEMO_CLIENT_ID, demoClient } from './oidc-clients.js';
import { OidcSetupError } from './oidc-errors.js';
import { loadOrCreateOidcKeys } from './oidc-keys.js';
import { createOidcProvider } from './provider-config.js';

export { loadOidcClients } from './oidc-clients.js';

/**
 * passage as an OpenID Connect provider: the provider at `/oidc` (issuer
 * `${publicUrl}/oidc`), the sign-in page of its interactions at `/interaction/:uid`, and the
 * demo application at `/`. See docs/oidc.md.
 */

export interface OidcOptions {
  readonly flow: SignInFlow;
  /** Where browsers reach passage, e.g. http://127.0.0.1:8080; the issuer is `${publicUrl}/oidc`. */
  readonly publicUrl: string;
  /** Where signing keys and cookie keys live (created 0700, files 0600). */
  readonly keysDir: string;
  /** Registered clients besides the demo one (from a --oidc-clients JSON file). */
  readonly clients: readonly ClientMetadata[];
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * With it, the provider keeps sessions, sign-in pages, codes and grants in the KV bucket
   * `passage-oidc`, shared by every instance and kept across restarts. Without it they live
   * in this process's memory (one instance; lost on restart; at most 1,000 entries).
   */
  readonly nats?: NatsConnection;
}

export interface OidcRegistration {
  readonly issuer: string;
  readonly close: () => Promise<void>;
}

/** `publicUrl` without a trailing slash; refused unless it is an absolute http(s) URL. */
export const normalizePublicUrl = (publicUrl: string): string => {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new OidcSetupError('OIDC_PUBLIC_URL_INVALID', `${publicUrl} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OidcSetupError('OIDC_PUBLIC_URL_INVALID', `${publicUrl} is not an http(s) URL`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new OidcSetupError(
      'OIDC_PUBLIC_URL_INVALID',
      `${publicUrl} may not hold a query, a fragment or credentials`,
    );
  }
  return url.href.replace(/\/+$/, '');
};

export const registerOidc = async (
  app: FastifyInstance,
  options: OidcOptions,
): Promise<OidcRegistration> => {
  const publicUrl = normalizePublicUrl(options.publicUrl);
  const issuer = `${publicUrl}${OIDC_PREFIX}`;
  const clashing = options.clients.find((c) => c.client_id === DEMO_CLIENT_ID);
  if (clashing !== undefined) {
    throw new OidcSetupError(
      'OIDC_CLIENTS_INVALID',
      `${DEMO_CLIENT_ID} is the built-in demo client; choose another client_id`,
    );
  }
  const keys = await loadOrCreateOidcKeys(options.keysDir, options.logger);
  const store =
    options.nats === undefined
      ? undefined
      : await createKvOidcStore({ nc: options.nats, clock: options.clock, logger: options.logger });
  const provider = createOidcProvider({
    ...(store === undefined ? {} : { adapter: store.adapter }),
    issuer,
    keys,
    clients: [demoClient(publicUrl), ...options.clients],
    logger: options.logger,
    // passage serves plain HTTP; an https public URL means a TLS terminator in front of it,
    // whose X-Forwarded-Proto tells the provider the request was secure (secure cookies).
    behindProxy: publicUrl.startsWith('https:'),
  });
  await mountProvider(app, provider);
  await registerInteractionRoutes(app, {
    provider,
    flow: options.flow,
    publicOrigin: new URL(publicUrl).origin,
    attemptKey: keys.cookies[0] ?? '',
    logger: options.logger,
  });
  const demo = await registerDemoApp(app, {
    issuer,
    publicUrl,
    clock: options.clock,
    logger: options.logger,
  });
  options.logger.info('oidc.ready', {
    issuer,
    clients: options.clients.length + 1,
    state: store === undefined ? 'memory' : 'nats-kv',
  });
  return {
    issuer,
    close: () => {
      // The provider holds no connection or timer of its own; the NATS connection is the
      // caller's, and closed by it.
      demo.close();
      return Promise.resolve();
    },
  };
};
