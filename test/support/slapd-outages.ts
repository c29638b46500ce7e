import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bindSucceeds, findSlapdTools, freePort } from '../../src/infra/directory/demo/index.js';
import { groupIsAlive, spawnProcessGroup } from '../fixtures/directory/process-group.js';
import type { Slapd } from '../fixtures/directory/slapd.js';
import { eventually } from './sign-in-commands.js';

/**
 * Outages of a test's own slapd (never the run's shared one): its process stopped or killed
 * and started again on the same ports and data, and a second server with the same entries
 * (a replica, as a second domain controller is), for failover.
 */

/** A slapd process started here; `stop()` is bounded and safe to call twice. */
export interface SlapdRun {
  readonly ldapUrl: string;
  readonly ldapsUrl: string;
  readonly pid: number;
  /** Ends the process with `signal` (SIGTERM: a stop; SIGKILL: a crash) and waits it out. */
  readonly end: (signal: 'SIGTERM' | 'SIGKILL') => Promise<void>;
  readonly stop: () => Promise<void>;
}

const SLAPD_MODULES = '/usr/lib/ldap';
const SLAPD_SCHEMAS = '/etc/ldap/schema';

/** Sends `signal` to a process and waits (bounded) until it is gone. */
const endProcess = async (pid: number, signal: 'SIGTERM' | 'SIGKILL') => {
  try {
    process.kill(pid, signal);
  } catch {
    return; // already gone
  }
  await eventually(`slapd ${pid} to exit`, () =>
    Promise.resolve(groupIsAlive(pid) ? undefined : true),
  );
};

/** Runs slapd on `config` with these listeners, until the rootdn binds (bounded). */
const runSlapdOn = async (
  slapd: Slapd,
  config: string,
  urls: { readonly ldapUrl: string; readonly ldapsUrl: string },
): Promise<SlapdRun> => {
  const tools = findSlapdTools(SLAPD_MODULES, SLAPD_SCHEMAS);
  const group = await spawnProcessGroup(tools.slapd, [
    '-h',
    `${urls.ldapUrl}/ ${urls.ldapsUrl}/`,
    '-f',
    config,
    '-d',
    'none',
  ]);
  try {
    await eventually(
      `slapd on ${urls.ldapUrl} to answer`,
      async () => {
        if (group.hasExited()) throw new Error(`slapd exited: ${group.outputTail()}`);
        return (await bindSucceeds(urls.ldapUrl, slapd.rootDn, slapd.rootPassword))
          ? true
          : undefined;
      },
      15_000,
      100,
    );
  } catch (error) {
    await group.stop();
    throw error;
  }
  return {
    ...urls,
    pid: group.pid,
    end: async (signal) => {
      await endProcess(group.pid, signal);
      await group.stop();
    },
    stop: () => group.stop(),
  };
};

/** Ends the fixture's own slapd process, keeping its data for `restartSlapd`. */
export const endSlapd = (slapd: Slapd, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> =>
  endProcess(slapd.pid, signal);

/** slapd again, on the same ports, configuration and data as `slapd` had. */
export const restartSlapd = (slapd: Slapd): Promise<SlapdRun> =>
  runSlapdOn(slapd, join(slapd.workDir, 'slapd.conf'), slapd);

/**
 * A second slapd serving a copy of `slapd`'s entries (same users, passwords and policies),
 * with the same certificate (it names the address, not the port), on ports of its own. Made
 * while `slapd` is idle, so the copy of its database is consistent; its files are under
 * `slapd`'s work directory and go with it.
 */
export const startSlapdReplica = async (slapd: Slapd): Promise<SlapdRun> => {
  const dataDir = join(slapd.workDir, 'data');
  const replicaDir = join(slapd.workDir, 'replica-data');
  await cp(dataDir, replicaDir, { recursive: true });
  const config = (await readFile(join(slapd.workDir, 'slapd.conf'), 'utf8'))
    .replace(`directory ${dataDir}`, `directory ${replicaDir}`)
    .replace(
      `pidfile ${join(slapd.workDir, 'slapd.pid')}`,
      `pidfile ${join(slapd.workDir, 'replica.pid')}`,
    );
  const replicaConfig = join(slapd.workDir, 'replica.conf');
  await writeFile(replicaConfig, config);
  const host = new URL(slapd.ldapUrl).hostname;
  return runSlapdOn(slapd, replicaConfig, {
    ldapUrl: `ldap://${host}:${await freePort(host)}`,
    ldapsUrl: `ldaps://${host}:${await freePort(host)}`,
  });
};
