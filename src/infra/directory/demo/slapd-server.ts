import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type ClientOptions } from 'ldapts';
import { DemoDirectoryError } from './demo-directory-error.js';
import { freePort } from './free-port.js';

/** What `runSlapd` needs of a started slapd; the tests' process groups fit it as well. */
export interface SlapdProcess {
  readonly pid: number;
  readonly hasExited: () => boolean;
  readonly outputTail: () => string;
  readonly stop: () => Promise<unknown>;
}

export interface SlapdUrls {
  /** `ldap://host:port` when a plain listener was asked for. */
  readonly ldap?: string;
  /** `ldaps://host:port` when a TLS listener was asked for. */
  readonly ldaps?: string;
}

export interface RunSlapdOptions<P extends SlapdProcess> {
  readonly slapd: string;
  readonly configFile: string;
  readonly host: string;
  readonly listeners: { readonly ldap: boolean; readonly ldaps: boolean };
  /** Starts the process (the caller decides about process groups, guards, output). */
  readonly spawn: (command: string, args: readonly string[]) => Promise<P>;
  /** True once slapd answers as it should (a bind that must succeed). */
  readonly isReady: (urls: SlapdUrls) => Promise<boolean>;
  /** Default 15 s. */
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

const PORT_ATTEMPTS = 3;

/** One simple bind on a fresh connection: true if it succeeded, false for any other end. */
export const bindSucceeds = async (
  url: string,
  dn: string,
  password: string,
  caFile?: string,
): Promise<boolean> => {
  const options: ClientOptions = { url, timeout: 5_000, connectTimeout: 2_000 };
  // TLS options only for ldaps://: given with ldap:// they made ldapts attempt TLS.
  const client = new Client(
    url.startsWith('ldaps://') && caFile !== undefined
      ? { ...options, tlsOptions: { ca: [readFileSync(caFile)] } }
      : options,
  );
  try {
    await client.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => {});
  }
};

const waitUntilReady = async (
  running: SlapdProcess,
  urls: SlapdUrls,
  isReady: (urls: SlapdUrls) => Promise<boolean>,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (running.hasExited()) {
      throw new DemoDirectoryError(
        'DEMO_DIRECTORY_FAILED',
        `slapd exited before it answered; its last lines:\n${running.outputTail()}`,
      );
    }
    if (await isReady(urls)) return;
    if (Date.now() > deadline) {
      throw new DemoDirectoryError(
        'DEMO_DIRECTORY_NOT_READY',
        `slapd did not answer a bind within ${timeoutMs} ms; its last lines:\n${running.outputTail()}`,
      );
    }
    await sleep(50);
  }
};

/**
 * Starts slapd on free ports of `host` and resolves once `isReady` says it answers. A port
 * found free can be taken before slapd binds it: then it tries again with new ports, a
 * bounded number of times. A failed start stops what it started before it throws.
 */
export const runSlapd = async <P extends SlapdProcess>(
  options: RunSlapdOptions<P>,
): Promise<{ readonly urls: SlapdUrls; readonly process: P }> => {
  const log = options.log ?? ((): void => {});
  for (let attempt = 1; ; attempt += 1) {
    const urls: SlapdUrls = {
      ...(options.listeners.ldap
        ? { ldap: `ldap://${options.host}:${await freePort(options.host)}` }
        : {}),
      ...(options.listeners.ldaps
        ? { ldaps: `ldaps://${options.host}:${await freePort(options.host)}` }
        : {}),
    };
    const listen = [urls.ldap, urls.ldaps].filter((url) => url !== undefined).map((u) => `${u}/`);
    // `-d none` keeps slapd in the foreground and prints only what it must (errors such as
    // "bind(6) failed errno=98"); `-d 0` would send those to syslog instead.
    const running = await options.spawn(options.slapd, [
      '-h',
      listen.join(' '),
      '-f',
      options.configFile,
      '-d',
      'none',
    ]);
    try {
      await waitUntilReady(running, urls, options.isReady, options.readyTimeoutMs ?? 15_000);
      return { urls, process: running };
    } catch (error) {
      await running.stop();
      const portTaken = running.outputTail().includes('Address already in use');
      if (!portTaken || attempt >= PORT_ATTEMPTS) throw error;
      log(`slapd: a port was taken meanwhile (attempt ${attempt}); trying new ports`);
    }
  }
};
