import { readFile } from 'node:fs/promises';
import { connect as tlsConnect, createServer, type TLSSocket } from 'node:tls';
import { createTestCertificates } from '../../fixtures/directory/test-certificates.js';

export interface TlsImpostor {
  readonly port: number;
  readonly close: () => Promise<void>;
}

/**
 * An LDAPS server whose certificate comes from a CA the client was not told to trust, but
 * which is otherwise the real directory: it terminates TLS and relays to the real LDAPS
 * port. A client that skipped verification would sign the user in through it; a client that
 * verifies must call it an outage.
 */
export const startTlsImpostor = async (
  dir: string,
  target: { readonly host: string; readonly port: number; readonly caFile: string },
): Promise<TlsImpostor> => {
  const own = await createTestCertificates(dir, {
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const [cert, key, targetCa] = await Promise.all([
    readFile(own.certFile),
    readFile(own.keyFile),
    readFile(target.caFile),
  ]);
  const open = new Set<TLSSocket>();
  const server = createServer({ cert, key }, (client) => {
    const upstream = tlsConnect({ host: target.host, port: target.port, ca: targetCa });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => open.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('impostor has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
