/**
 * The `cluster` block of one node of a nats-server cluster: where it listens for the other
 * nodes and the routes to all of them. JetStream on a cluster (2.9) refuses to start without
 * configured routes, so every node names every node, itself included (a server recognises
 * and drops the route to itself). Each node also needs its own `server_name`, which the
 * configuration's first lines carry (nats-server-config.ts).
 */
export interface NatsClusterBlockInput {
  /** The cluster's name: the same on every node. */
  readonly name: string;
  readonly host: string;
  /** This node's route port. */
  readonly port: number;
  /** The route ports of every node, this one included. */
  readonly routes: readonly { readonly host: string; readonly port: number }[];
}

const quoted = (value: string): string => JSON.stringify(value);
const hostPort = (host: string, port: number): string =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;

export const renderClusterBlock = (input: NatsClusterBlockInput): string =>
  [
    'cluster {',
    `  name: ${quoted(input.name)}`,
    `  listen: ${quoted(hostPort(input.host, input.port))}`,
    '  routes: [',
    ...input.routes.map(
      (route) => `    ${quoted(`nats-route://${hostPort(route.host, route.port)}`)}`,
    ),
    '  ]',
    '}',
  ].join('\n');
