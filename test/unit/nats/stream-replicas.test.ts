import { JetStreamApiError } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { EXIT_USAGE } from '../../../src/cli/io.js';
import { parseStreamReplicas } from '../../../src/cli/service-settings.js';
import {
  StreamReplicasError,
  replicasRefusalOf,
} from '../../../src/infra/jetstream/stream-replicas.js';
import { REQUESTS_STREAM, streamConfigs } from '../../../src/infra/jetstream/topology.js';
import { renderClusterBlock } from '../../../src/infra/nats/nats-cluster-config.js';

/**
 * Copies of passage's streams on a JetStream cluster: the option, the stream configurations
 * it gives, the refusal when the server cannot keep them, and the cluster block of a node.
 * test/integration/nats/stream-replicas.test.ts and test/e2e/faults/cluster-faults.test.ts
 * hold a real cluster to them.
 */
const apiError = (errCode: number, description: string) =>
  new JetStreamApiError({ code: 500, err_code: errCode, description });

describe('--stream-replicas', () => {
  it('takes 1, 3 or 5 and refuses anything else with the counts it takes', () => {
    expect(parseStreamReplicas(undefined)).toBeUndefined();
    expect([parseStreamReplicas('1'), parseStreamReplicas('3'), parseStreamReplicas('5')]).toEqual([
      1, 3, 5,
    ]);
    for (const text of ['0', '2', '4', '7', '3.0', ' 3', 'three', '-3', '']) {
      expect(parseStreamReplicas(text)).toMatch(/^--stream-replicas is one of 1, 3, 5/);
    }
  });

  it('is read from PASSAGE_STREAM_REPLICAS too, refused before connecting anywhere', async () => {
    let err = '';
    const code = await runCli(
      ['host'],
      { out: () => {}, err: (text) => (err += text) },
      { version: '0', stopSignal: Promise.resolve(), env: { PASSAGE_STREAM_REPLICAS: '2' } },
    );
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('--stream-replicas is one of 1, 3, 5');
  });
});

describe('the streams with copies', () => {
  it('gives every stream the count asked for, one by default; requests stay in memory', () => {
    expect(streamConfigs().map((config) => config.num_replicas)).toEqual([1, 1, 1, 1, 1]);
    const three = streamConfigs({ replicas: 3 });
    expect(three.map((config) => config.num_replicas)).toEqual([3, 3, 3, 3, 3]);
    expect(three.find((config) => config.name === REQUESTS_STREAM)?.storage).toBe('memory');
  });

  it('names the server refusing the count as STREAM_REPLICAS_UNAVAILABLE, with what to do', () => {
    for (const refusal of [
      apiError(10074, 'replicas > 1 not supported in non-clustered mode'),
      apiError(10005, 'no suitable peers for placement'),
    ]) {
      const error = replicasRefusalOf(refusal, 3);
      expect(error).toBeInstanceOf(StreamReplicasError);
      expect(error).toMatchObject({ code: 'STREAM_REPLICAS_UNAVAILABLE', cause: refusal });
      expect((error as Error).message).toContain(refusal.message);
      expect((error as Error).message).toContain('a JetStream cluster of at least 3 servers');
    }
  });

  it('leaves every other error as it was, and any error of a single copy', () => {
    const other = apiError(10058, 'stream name already in use with a different configuration');
    expect(replicasRefusalOf(other, 3)).toBe(other);
    const single = apiError(10074, 'replicas > 1 not supported in non-clustered mode');
    expect(replicasRefusalOf(single, 1)).toBe(single);
    const plain = new Error('timeout');
    expect(replicasRefusalOf(plain, 5)).toBe(plain);
  });
});

describe('the cluster block of a node', () => {
  it('listens for routes and names every node, itself included', () => {
    const block = renderClusterBlock({
      name: 'passage',
      host: '127.0.0.1',
      port: 6222,
      routes: [
        { host: '127.0.0.1', port: 6222 },
        { host: '127.0.0.1', port: 6223 },
        { host: '::1', port: 6224 },
      ],
    });
    expect(block).toBe(
      [
        'cluster {',
        '  name: "passage"',
        '  listen: "127.0.0.1:6222"',
        '  routes: [',
        '    "nats-route://127.0.0.1:6222"',
        '    "nats-route://127.0.0.1:6223"',
        '    "nats-route://[::1]:6224"',
        '  ]',
        '}',
      ].join('\n'),
    );
  });
});
