import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runMachine } from './commands/machine.js';
import { HELP } from './help.js';
import { EXIT_OK, refuse, type CliIo } from './io.js';

/**
 * The CLI: the composition root. It parses the command line once, refuses anything it does
 * not know with a stable code, and never throws at its caller for bad input.
 */
export const runCli = (argv: readonly string[], io: CliIo, version: string): number => {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(HELP);
      return EXIT_OK;
    case 'version':
    case '--version':
      io.out(`${version}\n`);
      return EXIT_OK;
    case 'machine': {
      const parsed = parseOptions(rest, { json: { type: 'boolean', default: false } });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `machine: ${parsed}`);
      return runMachine(io, { json: parsed.json === true });
    }
    default:
      return refuse(io, 'UNKNOWN_COMMAND', `unknown command '${command}'`);
  }
};

/** Strict option parsing: unknown options and stray arguments are a usage error (a string). */
const parseOptions = <O extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: O,
) => {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return error instanceof Error ? error.message : 'unreadable options';
  }
};
