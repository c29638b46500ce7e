import { runHostCommand, runServeCommand } from './commands/serve-cli.js';
import { runMachine } from './commands/machine.js';
import { runMfaCommand } from './commands/mfa.js';
import { runNatsCommand } from './commands/nats.js';
import { runPathsCommand } from './commands/paths.js';
import { runAuditCommand } from './commands/audit.js';
import { runBench } from './commands/bench.js';
import { runParallelLogAudit } from '../infra/audit/parallel-log-audit.js';
import { runUp } from './commands/up.js';
import { openJetStreamStore, runReplayCommand } from './commands/replay.js';
import { HELP } from './help.js';
import { parseOptions } from './parse-options.js';
import { runAgentCommand, runTokenCommand } from './commands/agent-cli.js';
import { EXIT_OK, refuse, type CliIo } from './io.js';

/**
 * The CLI: the composition root. It parses the command line once, refuses anything it does
 * not know with a stable code, and never throws at its caller for bad input.
 */
export interface CliContext {
  readonly version: string;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM); long commands await it. */
  readonly stopSignal: Promise<void>;
  /** The environment settings are read from (`PASSAGE_*`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether standard error is a terminal: long commands draw progress there. */
  readonly errIsTerminal?: boolean;
}

export const runCli = async (
  argv: readonly string[],
  io: CliIo,
  context: CliContext,
): Promise<number> => {
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
      io.out(`${context.version}\n`);
      return EXIT_OK;
    case 'machine': {
      const parsed = parseOptions(rest, { json: { type: 'boolean', default: false } });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `machine: ${parsed}`);
      return runMachine(io, { json: parsed.values.json === true });
    }
    case 'host':
      return runHostCommand(rest, io, { env: context.env ?? {}, stopSignal: context.stopSignal });
    case 'up':
      return runUp(rest, io, { env: context.env ?? {}, stopSignal: context.stopSignal });
    case 'serve':
      return runServeCommand(rest, io, { env: context.env ?? {}, stopSignal: context.stopSignal });
    case 'agent':
      return runAgentCommand(rest, io, { env: context.env ?? {}, stopSignal: context.stopSignal });
    case 'mfa':
      return runMfaCommand(rest, io, { env: context.env ?? {} });
    case 'token':
      return runTokenCommand(rest, io, context.env ?? {});
    case 'nats':
      return runNatsCommand(rest, io);
    case 'paths':
      return runPathsCommand(rest, io);
    case 'audit':
      return runAuditCommand(rest, io, {
        openStore: openJetStreamStore,
        runParallel: runParallelLogAudit,
        now: () => performance.now(),
        errIsTerminal: context.errIsTerminal === true,
        env: context.env ?? {},
      });
    case 'replay':
      return runReplayCommand(rest, io, openJetStreamStore, undefined, context.env ?? {});
    case 'bench':
      return runBench(rest, io, {
        env: context.env ?? {},
        stopSignal: context.stopSignal,
        errIsTerminal: context.errIsTerminal === true,
        now: () => performance.now(),
      });
    default:
      return refuse(io, 'UNKNOWN_COMMAND', `unknown command '${command}'`);
  }
};
