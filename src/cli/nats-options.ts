import type { NatsAccess } from '../infra/nats/nats-client-options.js';
import { fromFlagOrEnv } from './env-options.js';

/**
 * The options every command that connects to NATS takes, besides `--nats`: the NKey seed
 * file of the role it runs as, and the CA that signed the servers' certificates (TLS). From
 * flags or the environment, like every other setting.
 */
export const natsAccessOptions = {
  'nats-nkey-file': { type: 'string' },
  'nats-ca-file': { type: 'string' },
} as const;

export const NKEY_FILE_VARIABLE = 'PASSAGE_NATS_NKEY_FILE';
export const CA_FILE_VARIABLE = 'PASSAGE_NATS_CA_FILE';

export const natsAccessFrom = (
  values: { readonly 'nats-nkey-file'?: string; readonly 'nats-ca-file'?: string },
  env: NodeJS.ProcessEnv,
): NatsAccess => {
  const nkeyFile = fromFlagOrEnv(values['nats-nkey-file'], env, NKEY_FILE_VARIABLE);
  const caFile = fromFlagOrEnv(values['nats-ca-file'], env, CA_FILE_VARIABLE);
  return {
    ...(nkeyFile === undefined ? {} : { nkeyFile }),
    ...(caFile === undefined ? {} : { caFile }),
  };
};

/** The flags that hand an access on to a child process (`passage up`'s service and agent). */
export const natsAccessArgs = (access: NatsAccess): string[] => [
  ...(access.nkeyFile === undefined ? [] : ['--nats-nkey-file', access.nkeyFile]),
  ...(access.caFile === undefined ? [] : ['--nats-ca-file', access.caFile]),
];
