import { join } from 'node:path';

/** Where `up` keeps things under its data directory; every directory is made 0700. */
export interface UpLayout {
  readonly dataDir: string;
  /** nats-server's configuration and JetStream store: the service's state, kept. */
  readonly natsDir: string;
  /** The demo directory (slapd): made anew at every start. */
  readonly directoryDir: string;
  readonly agentDir: string;
  /** The agent's key pairs (0600), kept so that the registration stays valid. */
  readonly agentKeyFile: string;
  /** `serve --data-dir`. */
  readonly serviceDir: string;
  /**
   * One NKey seed file per NATS user (0600), kept so that their public keys, named in the
   * generated nats-server configuration, stay the same from start to start.
   */
  readonly natsKeysDir: string;
  readonly natsKeys: {
    readonly service: string;
    readonly agent: string;
    readonly auditor: string;
  };
  /** `--nats-tls`: the CA and the server's certificate, made anew at every start. */
  readonly natsTlsDir: string;
  readonly logsDir: string;
  readonly logs: {
    readonly service: string;
    readonly agent: string;
    readonly nats: string;
    readonly directory: string;
  };
  /** Holds the pid of the `up` that uses this data directory. */
  readonly lockFile: string;
  /** `<name>.pid` of each process `up` runs, while it runs (pid-files.ts). */
  readonly pidsDir: string;
}

export const upLayout = (dataDir: string): UpLayout => {
  const logsDir = join(dataDir, 'logs');
  const agentDir = join(dataDir, 'agent');
  const natsKeysDir = join(dataDir, 'nats-keys');
  return {
    dataDir,
    natsDir: join(dataDir, 'nats'),
    directoryDir: join(dataDir, 'directory'),
    agentDir,
    agentKeyFile: join(agentDir, 'agent.key'),
    serviceDir: join(dataDir, 'service'),
    natsKeysDir,
    natsKeys: {
      service: join(natsKeysDir, 'service.nk'),
      agent: join(natsKeysDir, 'agent.nk'),
      auditor: join(natsKeysDir, 'auditor.nk'),
    },
    natsTlsDir: join(dataDir, 'nats-tls'),
    logsDir,
    logs: {
      service: join(logsDir, 'service.log'),
      agent: join(logsDir, 'agent.log'),
      nats: join(logsDir, 'nats.log'),
      directory: join(logsDir, 'directory.log'),
    },
    lockFile: join(dataDir, 'up.pid'),
    pidsDir: join(dataDir, 'pids'),
  };
};
