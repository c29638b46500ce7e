import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { TokenIssuer } from '../../src/infra/agents/registration-tokens.js';
import { freePort } from '../fixtures/directory/network.js';
import { eventually } from './sign-in-commands.js';

/** The repository root: processes run the built CLI, `dist/cli/main.js`, from here. */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** A `passage …` child process and what it logged (JSON lines on stderr). */
export interface PassageProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logs: () => string;
  readonly exited: Promise<number | null>;
  /** SIGTERM, a bounded wait, then SIGKILL. Safe to call twice. */
  readonly stop: () => Promise<void>;
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export const passageSync = (args: readonly string[]) =>
  spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });

export const spawnPassage = (
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): PassageProcess => {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    pid: child.pid ?? -1,
    logs: () => log,
    exited,
    stop: async () => {
      if (isRunning(child)) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (isRunning(child)) child.kill('SIGKILL');
      await exited;
    },
  };
};

/** Waits (bounded) until the process logged `event`; fails at once if it exits first. */
export const waitForLog = (process: PassageProcess, event: string, timeoutMs = 30_000) =>
  eventually(
    `${event} from pid ${process.pid}`,
    () =>
      process.logs().includes(`"event":"${event}"`)
        ? Promise.resolve(true)
        : isRunning(process.child)
          ? Promise.resolve(undefined)
          : Promise.reject(
              new Error(`pid ${process.pid} exited before ${event}: ${process.logs()}`),
            ),
    timeoutMs,
  );

/** Keys, a registration with a fresh token, then `passage agent run`, until it is ready. */
export const startAgentProcess = async (options: {
  readonly natsUrl: string;
  readonly tenant: string;
  readonly agentId: string;
  readonly workDir: string;
  readonly tokens: TokenIssuer;
  readonly directoryArgs: readonly string[];
  /** The agent's own NATS user (its seed file), when the server has role users. */
  readonly natsNkeyFile?: string;
}): Promise<PassageProcess & { readonly agentId: string }> => {
  const { tenant, agentId } = options;
  const keyFile = join(options.workDir, `${tenant}-${agentId}.keys.json`);
  const init = passageSync(['agent', 'init', '--key-file', keyFile]);
  if (init.status !== 0) throw new Error(`agent init failed: ${init.stderr}`);
  const issued = await options.tokens.issue(tenant, { ttlSeconds: 60 });
  if (isLeft(issued)) throw new Error(issued.left.message);
  const common = ['--key-file', keyFile, '--tenant', tenant, '--agent-id', agentId];
  const connection = [
    ...common,
    '--nats',
    options.natsUrl,
    ...(options.natsNkeyFile === undefined ? [] : ['--nats-nkey-file', options.natsNkeyFile]),
  ];
  const registered = passageSync([
    'agent',
    'register',
    ...connection,
    '--token',
    issued.right.token,
  ]);
  if (registered.status !== 0) throw new Error(`agent register failed: ${registered.stderr}`);
  const agent = spawnPassage(['agent', 'run', ...connection, ...options.directoryArgs]);
  try {
    await waitForLog(agent, 'agent.ready');
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return { ...agent, agentId };
};

export interface ServeProcess extends PassageProcess {
  readonly baseUrl: string;
  readonly port: number;
}

/** `passage serve` on a free port, until `/readyz` answers 200. */
export const startServeProcess = async (options: {
  readonly natsUrl: string;
  readonly tenant: string;
  readonly workDir: string;
  readonly mfa?: 'enrolled' | 'always' | 'never';
  readonly timeouts?: Record<string, number>;
  readonly oidcClients?: readonly Record<string, unknown>[];
  readonly name?: string;
  /** More `serve` options (`--reactors`, `--agent-max-age`, …). */
  readonly extraArgs?: readonly string[];
}): Promise<ServeProcess> => {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const name = options.name ?? 'service';
  const args = [
    'serve',
    '--nats',
    options.natsUrl,
    '--tenant',
    options.tenant,
    '--http-port',
    String(port),
    '--public-url',
    baseUrl,
    '--data-dir',
    join(options.workDir, name),
    '--mfa',
    options.mfa ?? 'enrolled',
  ];
  if (options.timeouts !== undefined) args.push('--timeouts', JSON.stringify(options.timeouts));
  args.push(...(options.extraArgs ?? []));
  if (options.oidcClients !== undefined) {
    const file = join(options.workDir, `${name}-oidc-clients.json`);
    await writeFile(file, JSON.stringify(options.oidcClients));
    args.push('--oidc-clients', file);
  }
  const serve = spawnPassage(args);
  try {
    await waitForLog(serve, 'serve.ready');
    await eventually(`${baseUrl}/readyz`, async () =>
      (await fetch(`${baseUrl}/readyz`)).status === 200 ? true : undefined,
    );
  } catch (error) {
    await serve.stop();
    throw error;
  }
  return { ...serve, baseUrl, port };
};
