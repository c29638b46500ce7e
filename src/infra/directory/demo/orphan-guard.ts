import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Kills what it watches if this process dies without stopping it, even by SIGKILL, which
 * skips every 'exit' handler. Children started in their own process group (so that Ctrl-C
 * in a terminal reaches only their parent, which then stops them in order) would otherwise
 * outlive a killed parent and keep their ports.
 */
export interface OrphanGuard {
  /** `group`: the whole process group led by `pid`; `process`: that process alone. */
  readonly watch: (pid: number, scope: 'group' | 'process') => void;
  /**
   * Ends the guard without killing anything: for when everything it watches has been
   * stopped, so that it can never kill a pid the system has since given to someone else.
   */
  readonly release: () => void;
  readonly pid: number;
}

// Reads one kill target per line ("-123" is group 123) until its stdin closes, which happens
// when the process that started it dies, then kills every target. `read`, `set` and `kill`
// are built into sh: the guard forks nothing that could itself be left behind.
const GUARD_SCRIPT = [
  'while IFS= read -r target; do set -- "$@" "$target"; done',
  'for target in "$@"; do kill -s KILL -- "$target" 2>/dev/null; done',
].join('\n');

export const startOrphanGuard = async (): Promise<OrphanGuard> => {
  // Its own process group: a Ctrl-C meant for the parent must not end the guard first.
  const guard: ChildProcess = spawn('sh', ['-c', GUARD_SCRIPT, 'passage-orphan-guard'], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    guard.once('spawn', resolve);
    guard.once('error', reject);
  });
  guard.on('error', () => {});
  guard.stdin?.on('error', () => {});
  guard.unref();
  const pid = guard.pid;
  if (pid === undefined) throw new Error('the orphan guard started without a pid');
  let released = false;
  return {
    pid,
    watch: (target, scope) => {
      if (released) return;
      guard.stdin?.write(`${scope === 'group' ? '-' : ''}${target}\n`);
    },
    release: () => {
      if (released) return;
      released = true;
      guard.kill('SIGKILL');
      guard.stdin?.destroy();
    },
  };
};
