import { readFile } from 'node:fs/promises';
import { nkeyAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import { readNkeyFile } from './nkey-file.js';
import { inboxPrefixOf } from './inbox-prefix.js';

/**
 * How a passage process proves who it is to NATS and checks that it talks to the right
 * server. Plain data (paths, no secrets), so it can cross to worker threads and child
 * processes: each side reads the files itself.
 */
export interface NatsAccess {
  /** The user's NKey seed file (0600); absent: connect without authenticating. */
  readonly nkeyFile?: string;
  /** The CA that signed the servers' certificates; given, the connection must use TLS. */
  readonly caFile?: string;
}

export type NatsCaFileErrorCode = 'NATS_CA_FILE_UNREADABLE' | 'NATS_CA_FILE_INVALID';

export class NatsCaFileError extends Error {
  constructor(
    readonly code: NatsCaFileErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'NatsCaFileError';
  }
}

/** A `tls://` URL asks for TLS, as `nats://` leaves it to the server. */
const wantsTls = (server: string): boolean => /^tls:\/\//i.test(server);

/** The servers of a URL list (`nats://a:4222,nats://b:4222`). */
export const serversOf = (natsUrl: string): string[] =>
  natsUrl
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');

const readCaFile = async (path: string): Promise<string> => {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new NatsCaFileError(
      'NATS_CA_FILE_UNREADABLE',
      path,
      `cannot read the NATS CA file ${path}: ${typeof code === 'string' ? code : 'error'}`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new NatsCaFileError(
      'NATS_CA_FILE_INVALID',
      path,
      `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return pem;
};

/**
 * The client options for a URL and an access: the servers, the NKey authenticator and its
 * inbox prefix (`_INBOX.<public key>`: the only inboxes this user may subscribe to, so no
 * user reads another's replies), and TLS verified against the CA when one is given or a URL
 * says `tls://`. Throws NkeyFileError or NatsCaFileError with a stable code; never mentions
 * the seed.
 */
export const natsClientOptions = async (
  natsUrl: string,
  access: NatsAccess = {},
): Promise<Pick<ConnectionOptions, 'servers' | 'authenticator' | 'inboxPrefix' | 'tls'>> => {
  const servers = serversOf(natsUrl);
  const options: Pick<ConnectionOptions, 'servers' | 'authenticator' | 'inboxPrefix' | 'tls'> = {
    servers,
  };
  if (access.nkeyFile !== undefined) {
    const key = await readNkeyFile(access.nkeyFile);
    options.authenticator = nkeyAuthenticator(key.seed);
    options.inboxPrefix = inboxPrefixOf(key.publicKey);
  }
  if (access.caFile !== undefined) {
    options.tls = { ca: await readCaFile(access.caFile) };
  } else if (servers.some(wantsTls)) {
    // The system's trusted CAs: a public certificate needs no CA file.
    options.tls = {};
  }
  return options;
};
