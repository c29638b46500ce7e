import { connect, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: () => number;
  /**
   * Closes every relayed connection on both sides, as a directory does with idle ones
   * (slapd's idletimeout, AD's MaxConnIdleTime): the client sees its socket end.
   */
  readonly dropAll: () => void;
  /** New connections are accepted but not relayed (they stall) until `release`. */
  readonly hold: () => void;
  readonly release: () => void;
  readonly close: () => Promise<void>;
}

/**
 * A TCP relay in front of a real directory, so tests can count the connections a client
 * opens, stall them and close them under it, without touching the directory's
 * configuration. TLS passes through untouched: the client still verifies the directory's
 * own certificate.
 */
export const startTcpRelay = async (
  target: { readonly host: string; readonly port: number },
  listenHost = '127.0.0.1',
): Promise<TcpRelay> => {
  const open = new Set<Socket>();
  const held: Socket[] = [];
  let holding = false;
  let accepted = 0;

  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => open.delete(socket));
  };
  const relay = (client: Socket): void => {
    if (client.destroyed) return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };

  const server = createServer((client) => {
    accepted += 1;
    track(client);
    if (holding) {
      client.pause();
      held.push(client);
    } else {
      relay(client);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listenHost, port: 0 }, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('relay has no port');
  return {
    host: listenHost,
    port: address.port,
    connections: () => accepted,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const client of held.splice(0)) relay(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
