#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { permissionRefusalOf } from './nats-failure.js';
import { runCli } from './run-cli.js';

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

// Long-running commands (host, later serve and up) stop cleanly on Ctrl-C or SIGTERM.
const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const io = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
};
try {
  process.exitCode = await runCli(process.argv.slice(2), io, {
    version: packageJson.version,
    stopSignal,
    env: process.env,
    errIsTerminal: process.stderr.isTTY,
  });
} catch (error) {
  // Errors with a stable code (NATS_UNREACHABLE, EVENT_STORE_UNAVAILABLE, ...) are told as
  // such; anything else is a bug, reported without a stack trace but with its message.
  const refused = permissionRefusalOf(error);
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'INTERNAL_ERROR';
  if (refused !== undefined) io.err(`passage: ${refused.message} [${refused.code}]\n`);
  else io.err(`passage: ${error instanceof Error ? error.message : String(error)} [${code}]\n`);
  process.exitCode = 1;
}
process.exit();
