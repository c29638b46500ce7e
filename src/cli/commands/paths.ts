import {
  PATH_STRATEGIES,
  formatCoverage,
  pathCoverage,
  signInPaths,
  type PathStrategy,
} from '../../testing/index.js';
import { EXIT_OK, refuse, type CliIo } from '../io.js';
import { parseOptions } from '../parse-options.js';

const isStrategy = (value: string): value is PathStrategy =>
  (PATH_STRATEGIES as readonly string[]).includes(value);

/**
 * `passage paths [--json] [--strategy transitions|shortest|simple]`: the model-based paths
 * of the sign-in machine, for testers. Each step is an event with an example payload and
 * the state (and outcome) expected after it. JSON is one document: the strategy, the
 * machine's coverage by these paths, and the paths.
 */
export const runPathsCommand = (args: readonly string[], io: CliIo): number => {
  const parsed = parseOptions(args, {
    json: { type: 'boolean', default: false },
    strategy: { type: 'string', default: 'transitions' },
  });
  if (typeof parsed === 'string') return refuse(io, 'USAGE_ERROR', `paths: ${parsed}`);
  const strategy = parsed.values.strategy ?? 'transitions';
  if (!isStrategy(strategy)) {
    return refuse(io, 'USAGE_ERROR', `paths: --strategy is one of ${PATH_STRATEGIES.join(', ')}`);
  }
  const paths = signInPaths(strategy);
  const coverage = pathCoverage(paths);
  if (parsed.values.json === true) {
    io.out(`${JSON.stringify({ strategy, coverage, paths }, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines = [`${paths.length} paths (${strategy})`, formatCoverage(strategy, coverage), ''];
  paths.forEach((path, index) => {
    lines.push(`path ${index + 1}:`);
    for (const step of path.steps) {
      const outcome = step.outcome === null ? '' : ` (${step.outcome})`;
      lines.push(`  ${step.event.type.padEnd(18)} → ${step.state}${outcome}`);
    }
    lines.push('');
  });
  io.out(lines.join('\n'));
  return EXIT_OK;
};
