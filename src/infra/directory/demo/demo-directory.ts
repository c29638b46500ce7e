import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDirectoryCertificates } from './certificates.js';
import {
  DEMO_BASE_DN,
  DEMO_DEFAULT_POLICY_DN,
  newDemoPassword,
  planDemoDirectory,
  type DemoServiceAccount,
  type DemoUser,
  type PlainUser,
} from './demo-users.js';
import { renderLdif } from './ldif.js';
import {
  startManagedProcess,
  type ManagedProcess,
  type ProcessExit,
  type StopResult,
} from './managed-process.js';
import type { OrphanGuard } from './orphan-guard.js';
import { renderSlapdConfig } from './slapd-config.js';
import { bindSucceeds, runSlapd } from './slapd-server.js';
import { findSlapdTools, runTool } from './slapd-tools.js';

export interface DemoDirectoryOptions {
  /**
   * Where it lives (`<data-dir>/directory` for `passage up`), made 0700 if missing. Its
   * database, certificate and configuration are made anew at every start.
   */
  readonly dir: string;
  /** Default 127.0.0.1: the demo is for this machine. */
  readonly host?: string;
  /** Told about slapd at once, so that slapd dies with the caller whatever happens. */
  readonly guard?: OrphanGuard;
  /** slapd's own lines (it prints errors only). */
  readonly log?: (line: string) => void;
  /** Default 15 s. */
  readonly readyTimeoutMs?: number;
  readonly moduleDir?: string;
  readonly schemaDir?: string;
  /** The time the users' states are written for; default now. */
  readonly now?: Date;
  /** Users beyond the demo's five, who simply sign in (`passage bench` seeds them here). */
  readonly plainUsers?: readonly PlainUser[];
}

export interface DemoDirectory {
  /** `ldaps://<host>:<port>`; plain LDAP is not offered. */
  readonly url: string;
  /** The CA to trust for `url` (`--ldap-ca-file`). */
  readonly caFile: string;
  readonly baseDn: string;
  readonly dialect: 'openldap';
  /** Users sign in by uid. */
  readonly loginAttribute: 'uid';
  /** For search-then-bind; its password exists in memory only. */
  readonly serviceAccount: DemoServiceAccount;
  /** One per outcome, with this start's passwords. */
  readonly users: readonly DemoUser[];
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  readonly hasExited: () => boolean;
  readonly outputTail: () => string;
  /** SIGTERM, a bounded wait, then SIGKILL; safe to call twice. */
  readonly stop: (graceMs?: number) => Promise<StopResult>;
}

/**
 * Starts the demo directory: slapd with the ppolicy overlay, over LDAPS with a certificate
 * made for it, seeded with one user per outcome and a service account. Passwords are new at
 * every start and exist in memory only: slapd.conf holds the rootdn's as an {SSHA} hash,
 * the database holds {SSHA} hashes, and the entries reach slapadd on its stdin, never in a
 * file. The database is made anew each time, so every start begins from the same states
 * (the locked user locked, the others not). Fails with a DemoDirectoryError
 * (`DEMO_DIRECTORY_*`) and leaves no process behind.
 */
export const startDemoDirectory = async (options: DemoDirectoryOptions): Promise<DemoDirectory> => {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((): void => {});
  const tools = findSlapdTools(options.moduleDir, options.schemaDir);
  const dir = options.dir;
  const dataDir = join(dir, 'db');
  const configFile = join(dir, 'slapd.conf');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Only the database slapd keeps here: whatever else is in the directory stays.
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { mode: 0o700 });

  // Made anew with the database: a year is longer than any demo runs.
  const tls = await createDirectoryCertificates(
    join(dir, 'tls'),
    { ipAddresses: [host], dnsNames: ['localhost'] },
    { days: 365 },
  );
  const rootDn = `cn=admin,${DEMO_BASE_DN}`;
  // Only to see that slapd answers: used once, then forgotten with this function's scope.
  const rootPassword = newDemoPassword();
  await writeFile(
    configFile,
    renderSlapdConfig({
      baseDn: DEMO_BASE_DN,
      rootDn,
      rootPassword,
      dataDir,
      pidFile: join(dir, 'slapd.pid'),
      moduleDir: tools.moduleDir,
      schemaDir: tools.schemaDir,
      defaultPolicyDn: DEMO_DEFAULT_POLICY_DN,
      tls,
    }),
    { mode: 0o600 },
  );
  const plan = planDemoDirectory(options.now ?? new Date(), options.plainUsers);
  // Loaded before the start: slapadd may write the operational attributes that set the
  // states (pwdChangedTime, pwdReset, pwdAccountLockedTime), which an LDAP add may not.
  await runTool(tools.slapadd, ['-q', '-f', configFile], { input: renderLdif(plan.entries) });

  const { urls, process: slapd } = await runSlapd<ManagedProcess>({
    slapd: tools.slapd,
    configFile,
    host,
    listeners: { ldap: false, ldaps: true },
    spawn: (command, args) =>
      startManagedProcess({
        name: 'slapd',
        command,
        args,
        output: { kind: 'lines', onLine: (line) => log(`slapd: ${line}`) },
        ...(options.guard === undefined ? {} : { guard: options.guard }),
      }),
    isReady: (candidate) =>
      candidate.ldaps === undefined
        ? Promise.resolve(false)
        : bindSucceeds(candidate.ldaps, rootDn, rootPassword, tls.caFile),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    log,
  });
  const url = urls.ldaps;
  if (url === undefined) {
    await slapd.stop();
    throw new Error('slapd started without its LDAPS listener');
  }
  return {
    url,
    caFile: tls.caFile,
    baseDn: DEMO_BASE_DN,
    dialect: 'openldap',
    loginAttribute: 'uid',
    serviceAccount: plan.serviceAccount,
    users: plan.users,
    pid: slapd.pid,
    exited: slapd.exited,
    hasExited: slapd.hasExited,
    outputTail: () => slapd.outputTail(),
    stop: (graceMs) => slapd.stop(graceMs),
  };
};
