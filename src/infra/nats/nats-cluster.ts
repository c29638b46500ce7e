import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../directory/demo/free-port.js';
import { TIMED_OUT, settleWithin } from './bounded-wait.js';
import { renderClusterBlock } from './nats-cluster-config.js';
import { NatsServerError, isNatsServerError } from './nats-server-errors.js';
import { startNatsServer, type NatsServerHandle } from './nats-server-process.js';

export interface NatsClusterOptions {
  /** Each node's store and configuration go in `<baseDir>/<node name>`. */
  readonly baseDir: string;
  /** 3 (default) or 5: JetStream needs a majority of the nodes up. */
  readonly size?: 3 | 5;
  /** Default `passage`; the nodes are `<name>-1`, `<name>-2`, … */
  readonly name?: string;
  /** Default 127.0.0.1: clients and routes on loopback, ports chosen at start. */
  readonly host?: string;
  readonly binary?: string;
  /** Appended to every node's configuration (authorization, tls, monitoring). */
  readonly extraConfig?: string;
  /** Default 30 s: every node ready and a JetStream metadata leader elected. */
  readonly readyTimeoutMs?: number;
  /** Every line every node logs, with the node's name. */
  readonly log?: (node: string, line: string) => void;
}

export interface NatsClusterNode {
  readonly name: string;
  readonly server: NatsServerHandle;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated: what `--nats` takes. */
  readonly url: string;
  /** Stops every node still running. */
  readonly stop: () => Promise<void>;
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;
const LEADER_LINE =
  /JetStream cluster new metadata leader|Self is new JetStream cluster metadata leader/;

const portTaken = (error: unknown): boolean =>
  isNatsServerError(error) && error.logTail.some((line) => /address already in use/i.test(line));

interface Resolved {
  readonly baseDir: string;
  readonly host: string;
  readonly name: string;
  readonly size: number;
  readonly timeoutMs: number;
  readonly binary?: string;
  readonly extraConfig?: string;
  readonly log?: (node: string, line: string) => void;
}

const nodeNames = (options: Resolved): string[] =>
  Array.from({ length: options.size }, (_, index) => `${options.name}-${index + 1}`);

/**
 * Every node ready, and each one knowing the JetStream metadata leader: a node says it is
 * ready before its routes are up, and JetStream answers only once a leader is elected.
 */
const startOnce = async (options: Resolved): Promise<NatsCluster> => {
  const { host, name, timeoutMs } = options;
  // Routes must be known before the first node starts, so their ports are chosen here: a port
  // taken meanwhile fails that node, and the caller tries again with new ones.
  const names = nodeNames(options);
  const routePorts = await Promise.all(names.map(() => freePort(host)));
  const routes = routePorts.map((port) => ({ host, port }));
  const knowsLeader = new Set<string>();
  let onLeader = (): void => {};
  const nodes: NatsClusterNode[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.server.stop()));
  };
  try {
    for (const [index, nodeName] of names.entries()) {
      const port = routePorts[index] ?? 0;
      const server = await startNatsServer({
        storeDir: join(options.baseDir, nodeName),
        host,
        serverName: nodeName,
        ...(options.binary === undefined ? {} : { binary: options.binary }),
        extraConfig: [renderClusterBlock({ name, host, port, routes }), options.extraConfig]
          .filter((part) => part !== undefined)
          .join('\n'),
        readyTimeoutMs: timeoutMs,
        log: (line) => {
          options.log?.(nodeName, line);
          if (LEADER_LINE.test(line)) {
            knowsLeader.add(nodeName);
            onLeader();
          }
        },
      });
      nodes.push({ name: nodeName, server });
    }
    const elected = new Promise<void>((resolve) => {
      onLeader = () => {
        if (knowsLeader.size === names.length) resolve();
      };
      onLeader();
    });
    if ((await settleWithin(elected, timeoutMs)) === TIMED_OUT) {
      throw new NatsServerError(
        'NATS_SERVER_NOT_READY',
        `the nats-server cluster elected no JetStream metadata leader within ${timeoutMs} ms`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, url: nodes.map((node) => node.server.url).join(','), stop };
};

/**
 * Starts a JetStream cluster of nats-server processes on this machine: every node with its
 * own store directory, client port and `server_name`, routes to all the others, and the same
 * `extraConfig` (the same users on every node). Resolves once JetStream answers on every
 * node. For tests and trials on one machine; a production cluster spreads its nodes over
 * machines, with the same blocks (docs/scaling-and-faults.md).
 */
export const startNatsCluster = async (options: NatsClusterOptions): Promise<NatsCluster> => {
  const resolved: Resolved = {
    ...options,
    host: options.host ?? '127.0.0.1',
    name: options.name ?? 'passage',
    size: options.size ?? 3,
    timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(resolved);
    } catch (error) {
      if (!portTaken(error) || attempt >= PORT_ATTEMPTS) throw error;
      // A fresh start: no node keeps the RAFT state of a cluster that never formed.
      for (const nodeName of nodeNames(resolved)) {
        await rm(join(resolved.baseDir, nodeName), { recursive: true, force: true });
      }
    }
  }
};
