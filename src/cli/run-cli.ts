import { runHost } from './commands/host.js';
import { runMachine } from './commands/machine.js';
import { runMfaCommand } from './commands/mfa.js';
import { openJetStreamStore, runReplayCommand } from './commands/replay.js';
import { DEFAULT_NATS_URL, DEFAULT_TENANT } from './defaults.js';
import { HELP } from './help.js';
import { parseOptions } from './parse-options.js';
import { runAgentCommand, runTokenCommand } from './commands/agent-cli.js';
import { TenantSchema } from '../domain/shared/wire-primitives.js';
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
    case 'host': {
      const parsed = parseOptions(rest, {
        nats: { type: 'string', default: DEFAULT_NATS_URL },
        tenant: { type: 'string', default: DEFAULT_TENANT },
        'mfa-required': { type: 'boolean', default: false },
        'agent-max-age': { type: 'string', default: '15' },
      });
      if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `host: ${parsed}`);
      const tenant = TenantSchema.safeParse(parsed.values.tenant);
      if (!tenant.success) {
        return refuse(io, 'USAGE_ERROR', `host: --tenant must be a lower-case slug (a-z, 0-9, -)`);
      }
      const agentMaxAgeSeconds = Number(parsed.values['agent-max-age']);
      if (!Number.isInteger(agentMaxAgeSeconds) || agentMaxAgeSeconds < 1) {
        return refuse(io, 'USAGE_ERROR', 'host: --agent-max-age is a whole number of seconds');
      }
      return runHost(io, {
        agentMaxAgeMs: agentMaxAgeSeconds * 1000,
        natsUrl: parsed.values.nats ?? DEFAULT_NATS_URL,
        tenant: tenant.data,
        mfaRequired: parsed.values['mfa-required'] === true,
        stopSignal: context.stopSignal,
      });
    }
    case 'agent':
      return runAgentCommand(rest, io, { env: context.env ?? {}, stopSignal: context.stopSignal });
    case 'mfa':
      return runMfaCommand(rest, io, { env: context.env ?? {} });
    case 'token':
      return runTokenCommand(rest, io, context.env ?? {});
    case 'replay':
      return runReplayCommand(rest, io, openJetStreamStore);
    default:
      return refuse(io, 'UNKNOWN_COMMAND', `unknown command '${command}'`);
  }
};
