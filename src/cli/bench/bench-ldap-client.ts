import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';

/**
 * An ldapts client set up as the agent sets up its own (src/infra/directory/ldap-server.ts):
 * the same time-outs, TLS 1.2 or later, the certificate verified against the CA. The
 * baselines must pay for what the agent pays for, and for nothing more.
 */
export const benchLdapClient = (url: string, caFile: string | null): Client =>
  new Client({
    url,
    connectTimeout: 5_000,
    timeout: 5_000,
    // TLS options only for ldaps://: ldapts starts TLS on any URL that has them.
    ...(url.startsWith('ldaps://')
      ? {
          tlsOptions: {
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2' as const,
            ...(caFile === null ? {} : { ca: [readFileSync(caFile, 'utf8')] }),
          },
        }
      : {}),
  });
