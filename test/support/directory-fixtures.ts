import type { TestProject } from 'vitest/node';
import { startSambaDc, type SambaDc, type SambaDcInfo } from '../fixtures/directory/samba-dc.js';
import { startSlapd, type Slapd, type SlapdInfo } from '../fixtures/directory/slapd.js';

/** What tests get from `inject('directories')`. */
export interface DirectoryFixtures {
  readonly samba: SambaDcInfo;
  readonly slapd: SlapdInfo;
}

declare module 'vitest' {
  export interface ProvidedContext {
    directories: DirectoryFixtures;
  }
}

interface Running {
  readonly samba: SambaDc;
  readonly slapd: Slapd;
}

interface Shared {
  /** How many projects set up and have not torn down yet. */
  users: number;
  readonly running: Promise<Running>;
}

// vitest runs each project's globalSetup in the one main process, but loads the module once
// per project (each project has its own module runner), so module state is not shared:
// the singleton lives on globalThis. One DC for integration and e2e together, as it should.
const KEY = Symbol.for('passage.test.directory-fixtures');
type Holder = { [KEY]?: Shared };
const holder = globalThis as Holder;

const log = (line: string): void => {
  if (process.env['PASSAGE_TEST_DIRECTORY_LOG'] === '1') process.stderr.write(`${line}\n`);
};

// `provide` sends values to the test workers, so they must be plain data: drop `stop`.
const infoOf = <T extends { stop: unknown }>(running: T): Omit<T, 'stop'> => {
  const info: Partial<T> = { ...running };
  delete info.stop;
  return info as Omit<T, 'stop'>;
};

/** Starts both directories; if either fails, stops the other before failing. */
const startBoth = async (): Promise<Running> => {
  const started = Date.now();
  const timed = async <T>(name: string, start: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    const value = await start();
    process.stdout.write(
      `directories: ${name} ready in ${((Date.now() - at) / 1000).toFixed(1)} s\n`,
    );
    return value;
  };
  const [samba, slapd] = await Promise.allSettled([
    timed('Samba AD DC', () => startSambaDc({ log })),
    timed('slapd', () => startSlapd({ log })),
  ]);
  if (samba.status === 'fulfilled' && slapd.status === 'fulfilled') {
    process.stdout.write(
      `directories: ${samba.value.ldapsUrl} and ${slapd.value.ldapUrl} in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (PASSAGE_TEST_DIRECTORY_LOG=1 shows their logs)\n`,
    );
    return { samba: samba.value, slapd: slapd.value };
  }
  const failures: unknown[] = [];
  for (const result of [samba, slapd]) {
    if (result.status === 'fulfilled')
      await result.value.stop().catch((e: unknown) => failures.push(e));
    else failures.push(result.reason);
  }
  const messages = failures.map((f) => (f instanceof Error ? f.message : String(f)));
  throw new Error(`The test directories could not start:\n\n${messages.join('\n\n')}`);
};

/**
 * vitest globalSetup for the integration and e2e projects: one Samba AD DC and one slapd for
 * the whole run, described to tests through `inject('directories')`. Never skipped: a
 * machine without root or Samba fails here with the fix (`bash scripts/setup.sh`).
 */
export const setup = async (project: TestProject): Promise<void> => {
  let shared = holder[KEY];
  if (shared === undefined) {
    shared = { users: 0, running: startBoth() };
    holder[KEY] = shared;
  }
  shared.users += 1;
  const running = await shared.running;
  project.provide('directories', { samba: infoOf(running.samba), slapd: infoOf(running.slapd) });
};

/** Stops both once the last project that set up tears down; a failed setup has nothing left. */
export const teardown = async (): Promise<void> => {
  const shared = holder[KEY];
  if (shared === undefined) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  delete holder[KEY];
  const running = await shared.running.catch(() => null);
  if (running === null) return;
  const results = await Promise.allSettled([running.samba.stop(), running.slapd.stop()]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((r) => r.reason as unknown),
      'stopping the test directories failed',
    );
  }
};
