/**
 * The configuration file passage writes for a nats-server it manages. Generated, not
 * templated from user input, so it only has to quote paths and names safely.
 */
export interface NatsServerConfigInput {
  readonly host: string;
  /** 0 asks the server for a free port (`-1` in its configuration). */
  readonly port: number;
  readonly storeDir: string;
  readonly serverName?: string;
  /** Appended verbatim: cluster, accounts or authorization blocks. */
  readonly extraConfig?: string;
}

// The configuration language takes JSON strings, so JSON quoting keeps any path readable.
const quoted = (value: string): string => JSON.stringify(value);

export const renderNatsServerConfig = (input: NatsServerConfigInput): string => {
  const lines = [
    '# Written by passage: regenerated on every start, edits here are lost.',
    `listen: ${quoted(`${input.host}:${input.port === 0 ? -1 : input.port}`)}`,
  ];
  if (input.serverName !== undefined) lines.push(`server_name: ${quoted(input.serverName)}`);
  lines.push(`jetstream {`, `  store_dir: ${quoted(input.storeDir)}`, `}`);
  if (input.extraConfig !== undefined) lines.push(input.extraConfig);
  return `${lines.join('\n')}\n`;
};
