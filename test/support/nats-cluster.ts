import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startNatsCluster,
  type NatsCluster,
  type NatsClusterNode,
} from '../../src/infra/nats/nats-cluster.js';

export interface TestNatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated. */
  readonly url: string;
  /** The directory that holds every node's store. */
  readonly baseDir: string;
  /** A node's monitoring endpoint (`http://127.0.0.1:<port>`: /connz, /jsz, …). */
  readonly monitorUrlOf: (node: string) => string;
  /** The last lines each node logged, for failure messages. */
  readonly logsOf: (node: string) => readonly string[];
  /** Stops every node still running and removes the stores. Safe to call twice. */
  readonly cleanup: () => Promise<void>;
}

const MONITOR_LINE = /Starting http monitor on (\S+:\d+)\s*$/;

/**
 * A three-node JetStream cluster of its own for one test file, on loopback: every node with
 * its own store under a fresh temporary directory, its client, route and monitoring ports
 * chosen at start, and the same `extraConfig` (users) on each. Call `cleanup()` in
 * `afterAll`.
 */
export const withNatsCluster = async (
  options: { readonly extraConfig?: string } = {},
): Promise<TestNatsCluster> => {
  const baseDir = await mkdtemp(join(tmpdir(), 'passage-cluster-'));
  const lines = new Map<string, string[]>();
  const monitors = new Map<string, string>();
  let cluster: NatsCluster;
  try {
    cluster = await startNatsCluster({
      baseDir,
      extraConfig: ['http: "127.0.0.1:-1"', options.extraConfig]
        .filter((part) => part !== undefined)
        .join('\n'),
      log: (node, line) => {
        const kept = lines.get(node) ?? [];
        kept.push(line);
        if (kept.length > 200) kept.shift();
        lines.set(node, kept);
        const monitor = MONITOR_LINE.exec(line)?.[1];
        if (monitor !== undefined) monitors.set(node, `http://${monitor}`);
      },
    });
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
  let cleaned = false;
  return {
    nodes: cluster.nodes,
    url: cluster.url,
    baseDir,
    monitorUrlOf: (node) => {
      const url = monitors.get(node);
      if (url === undefined) throw new Error(`${node} announced no monitoring port`);
      return url;
    },
    logsOf: (node) => lines.get(node) ?? [],
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      try {
        await cluster.stop();
      } finally {
        await rm(baseDir, { recursive: true, force: true });
      }
    },
  };
};
