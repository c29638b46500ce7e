import { createServer, type Socket } from 'node:net';

export interface SilentServer {
  readonly port: number;
  /** Connections accepted (and never answered) so far. */
  readonly connections: () => number;
  readonly close: () => Promise<void>;
}

/**
 * A server that accepts TCP connections and never says a word: what a hung directory, or a
 * load balancer in front of a dead one, looks like. LDAPS never completes its handshake
 * here; plain LDAP connects and then waits forever for an answer.
 */
export const startSilentServer = async (): Promise<SilentServer> => {
  const held = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    held.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server has no port');
  return {
    port: address.port,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of held) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
