import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DemoDirectoryError, SETUP_HINT } from './demo-directory-error.js';

// Daemons and admin tools live in sbin, which is not always on a non-root PATH.
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** The absolute path of an executable on the PATH (or in sbin), or null. */
export const findExecutable = (name: string): string | null => {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...EXTRA_DIRS];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return null;
};

export interface SlapdTools {
  readonly slapd: string;
  readonly slapadd: string;
  /** Where slapd's modules are (back_mdb, ppolicy). */
  readonly moduleDir: string;
  readonly schemaDir: string;
}

/** Debian's places; other systems pass their own. */
export const DEFAULT_SLAPD_MODULE_DIR = '/usr/lib/ldap';
export const DEFAULT_SLAPD_SCHEMA_DIR = '/etc/ldap/schema';

/**
 * slapd, slapadd, the ppolicy overlay and the schema files, or one error that lists everything
 * missing (`DEMO_DIRECTORY_TOOLS_MISSING`), so a new machine is fixed in one go.
 */
export const findSlapdTools = (
  moduleDir: string = DEFAULT_SLAPD_MODULE_DIR,
  schemaDir: string = DEFAULT_SLAPD_SCHEMA_DIR,
): SlapdTools => {
  const slapd = findExecutable('slapd');
  const slapadd = findExecutable('slapadd');
  const problems: string[] = [];
  if (slapd === null) problems.push('slapd not found (Debian package slapd)');
  if (slapadd === null) problems.push('slapadd not found (Debian package slapd)');
  if (!['ppolicy.la', 'ppolicy.so'].some((file) => existsSync(join(moduleDir, file)))) {
    problems.push(`the ppolicy overlay is not in ${moduleDir}`);
  }
  if (!existsSync(join(schemaDir, 'inetorgperson.schema'))) {
    problems.push(`the schema files are not in ${schemaDir}`);
  }
  if (slapd === null || slapadd === null || problems.length > 0) {
    throw new DemoDirectoryError(
      'DEMO_DIRECTORY_TOOLS_MISSING',
      `cannot run slapd:\n  - ${problems.join('\n  - ')}\n${SETUP_HINT}`,
    );
  }
  return { slapd, slapadd, moduleDir, schemaDir };
};

const TOOL_TIMEOUT_MS = 60_000;
const OUTPUT_LINES = 25;

/**
 * Runs a set-up tool to completion, feeding `input` on its stdin (slapadd reads its LDIF
 * there, so the entries never sit in a file), and fails with `DEMO_DIRECTORY_SETUP_FAILED`
 * and the tool's own last words, which are the only useful diagnosis. Killed after
 * `timeoutMs`.
 */
export const runTool = (
  command: string,
  args: readonly string[],
  options: { readonly input?: string; readonly timeoutMs?: number } = {},
): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-16_384);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? TOOL_TIMEOUT_MS);
    const failed = (status: string, cause?: unknown): void => {
      const tail = output.trim().split('\n').slice(-OUTPUT_LINES).join('\n');
      reject(
        new DemoDirectoryError(
          'DEMO_DIRECTORY_SETUP_FAILED',
          `${command} ${args.join(' ')} failed: ${status}${tail === '' ? '' : `\n${tail}`}`,
          cause === undefined ? undefined : { cause },
        ),
      );
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      failed(error.message, error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else failed(signal === null ? `exit ${String(code)}` : `killed (${signal})`);
    });
    if (options.input !== undefined) {
      // An early exit closes the pipe: the exit status, not EPIPE, says what went wrong.
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input);
    }
  });
