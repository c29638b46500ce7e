import { spawn } from 'node:child_process';
import { it } from 'vitest';
import { newPassword } from '../fixtures/directory/passwords.js';
import { runCommand } from '../fixtures/directory/run-command.js';
import { startSambaDc } from '../fixtures/directory/samba-dc.js';
import { checkSambaPrerequisites } from '../fixtures/directory/samba-prerequisites.js';
import { REPO_ROOT } from '../support/passage-processes.js';

/**
 * `passage bench` against a real Samba AD DC: what `npm run bench:samba` runs (only when
 * asked: PASSAGE_BENCH_SAMBA=1). It starts the test DC (root, ports 389/636: run it under
 * `flock /tmp/passage-directories.lock`), adds benchmark users with one password made now and
 * kept in memory (the bench reads it from its environment), runs the bench with the options
 * in PASSAGE_BENCH_ARGS (default: 8 at once for 20 s), prints its report, and stops the DC.
 * It fails when the bench does: a sign-in that did not sign in, or a log that did not verify.
 */
const USERS = 8;
const DEFAULT_ARGS = '--concurrency 8 --duration 20';

const runBench = (args: readonly string[], password: string): Promise<number | null> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'bench', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PASSAGE_BENCH_PASSWORD: password },
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });

it('passage bench on a Samba AD DC', async () => {
  const dc = await startSambaDc();
  try {
    const samba = checkSambaPrerequisites();
    const password = newPassword();
    const upns: string[] = [];
    for (let i = 1; i <= USERS; i += 1) {
      const username = `bench${i}`;
      await runCommand(samba.sambaTool, ['user', 'create', username, password, '-s', dc.smbConf], {
        secrets: [password],
      });
      upns.push(`${username}@${dc.realm.toLowerCase()}`);
    }
    const extra = (process.env['PASSAGE_BENCH_ARGS'] ?? DEFAULT_ARGS).split(/\s+/).filter(Boolean);
    const code = await runBench(
      [
        '--directory',
        dc.ldapsUrl,
        '--ldap-dialect',
        'ad',
        '--ldap-base-dn',
        dc.baseDn,
        '--ldap-ca-file',
        dc.caFile,
        '--bench-users',
        upns.join(','),
        ...extra,
      ],
      password,
    );
    if (code !== 0) throw new Error(`passage bench exited with ${String(code)}`);
  } finally {
    await dc.stop();
  }
}, 3_600_000);
