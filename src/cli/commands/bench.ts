import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient } from '../bench/api-client.js';
import { BenchError, asBenchError, codeOf } from '../bench/bench-error.js';
import { parseBenchOptions, type BenchOptions } from '../bench/bench-options.js';
import {
  createBenchProgress,
  silentProgress,
  type BenchProgress,
} from '../bench/bench-progress.js';
import { formatBenchReport, type BenchReport } from '../bench/bench-report.js';
import { startBenchStack, type BenchStack } from '../bench/bench-stack.js';
import { runLoadPhase, type LoadPhaseResult } from '../bench/load-phase.js';
import { cpuMeter } from '../bench/process-stats.js';
import { measureRawBinds } from '../bench/raw-binds.js';
import { measureRawPublishes } from '../bench/raw-publishes.js';
import { measureReplay, type ReplayRun } from '../bench/replay-rate.js';
import { EXIT_FAILURE, EXIT_OK, refuse, type CliIo } from '../io.js';
import { STOP_REQUESTED } from '../up/supervisor.js';
import { cliEntryPoint } from '../up/child-commands.js';

export interface BenchContext {
  readonly env: NodeJS.ProcessEnv;
  /** Resolves on SIGINT or SIGTERM: the bench stops what it started and reports nothing. */
  readonly stopSignal: Promise<void>;
  readonly errIsTerminal: boolean;
  /** Milliseconds, monotonic; the composition root passes performance.now. */
  readonly now: () => number;
}

const rate = (value: number): string => Math.round(value).toLocaleString('en-US');

/** Throws why the stack's signal was aborted: a child that exited, or a stop request. */
const throwIfStopped = (stack: BenchStack): void => {
  if (!stack.signal.aborted) return;
  const reason: unknown = stack.signal.reason;
  if (reason === STOP_REQUESTED) {
    throw new BenchError('BENCH_INTERRUPTED', 'interrupted: everything started has been stopped');
  }
  throw reason;
};

const failedSignIns = (phase: LoadPhaseResult, name: string): string | null =>
  phase.failed === 0
    ? null
    : `${phase.failed} sign-ins of the ${name} failed (${Object.entries(phase.outcomes)
        .filter(([outcome]) => outcome !== 'signedIn' && outcome !== 'mfa')
        .map(([outcome, count]) => `${outcome} ×${count}`)
        .join(', ')}); see the logs in the data directory`;

/** The phases, in order, on a started stack. */
const measure = async (
  options: BenchOptions,
  stack: BenchStack,
  progress: BenchProgress,
  now: () => number,
): Promise<{ report: BenchReport; problems: string[] }> => {
  const api = createApiClient(stack.baseUrl, options.concurrency * 2);
  const loadAverage = loadavg()[0] ?? 0;
  try {
    const phase = (
      name: string,
      durationMs: number,
      ratePerSecond: number | null,
    ): Promise<LoadPhaseResult> =>
      runLoadPhase({
        api,
        users: stack.users,
        concurrency: options.concurrency,
        durationMs,
        ratePerSecond,
        now,
        signal: stack.signal,
        onSample: (_, totals) =>
          progress.update(
            name,
            totals.elapsedMs / durationMs,
            `${rate(totals.completed)} sign-ins, ${rate((totals.completed * 1000) / Math.max(1, totals.elapsedMs))}/s${totals.failed === 0 ? '' : `, ${totals.failed} failed`}`,
          ),
      });

    const warmUp = await phase('warm-up', options.warmUpSeconds * 1000, null);
    throwIfStopped(stack);
    if (warmUp.completed === 0 || warmUp.failed > 0) {
      throw new BenchError(
        'BENCH_WARM_UP_FAILED',
        `the first sign-ins did not all sign in (${JSON.stringify(warmUp.outcomes)}); the logs are in ${stack.layout.logsDir}`,
      );
    }
    progress.note(`warm-up: ${rate(warmUp.perSecond)} sign-ins/s`);

    const bindsMs = options.baselineSeconds * 1000;
    const rawBinds = await measureRawBinds({
      target: stack.directory,
      users: stack.users,
      concurrency: options.concurrency,
      durationMs: bindsMs,
      now,
      signal: stack.signal,
      onBind: (binds, elapsedMs) =>
        progress.update(
          'raw binds',
          elapsedMs / bindsMs,
          `${rate(binds)} binds, ${rate((binds * 1000) / Math.max(1, elapsedMs))}/s`,
        ),
    });
    throwIfStopped(stack);
    progress.note(`raw binds: ${rate(rawBinds.perSecond)}/s`);

    const jetstream = await measureRawPublishes({
      natsUrl: stack.natsUrl,
      natsAccess: stack.natsAccess.operator,
      durationMs: bindsMs,
      now,
      signal: stack.signal,
      onPublish: (published, elapsedMs) =>
        progress.update(
          'raw publishes',
          elapsedMs / ((bindsMs * 4) / 5),
          `${rate(published)} publishes, ${rate((published * 1000) / Math.max(1, elapsedMs))}/s`,
        ),
    });
    throwIfStopped(stack);
    progress.note(`JetStream publishes: ${rate(jetstream.perSecond)}/s pipelined`);

    const meter = cpuMeter({
      service: stack.pids.service,
      agents: stack.pids.agents,
      'nats-server': stack.pids.nats,
      ...(stack.pids.directory === null ? {} : { directory: stack.pids.directory }),
      bench: process.pid,
    });
    const durationMs = options.durationSeconds * 1000;
    await meter.start();
    // The audit's first size: what was stored before the middle of the main phase.
    const middle = new Date(Date.now() + durationMs / 2).toISOString();
    const signIns = await phase(
      options.rate === null ? 'sign-ins' : 'paced sign-ins',
      durationMs,
      options.rate,
    );
    const cpuSeconds = await meter.stop();
    throwIfStopped(stack);
    progress.note(`sign-ins: ${rate(signIns.perSecond)}/s, p99 ${signIns.passwordStepMs.p99} ms`);

    let halfRate: BenchReport['halfRate'] = null;
    if (options.halfRateSeconds > 0) {
      const targetPerSecond = Math.max(1, Math.floor(signIns.perSecond / 2));
      const result = await phase('half rate', options.halfRateSeconds * 1000, targetPerSecond);
      throwIfStopped(stack);
      halfRate = { ...result, targetPerSecond };
      progress.note(`half rate (${rate(targetPerSecond)}/s): p99 ${result.passwordStepMs.p99} ms`);
    }

    const replay: ReplayRun[] = [];
    if (options.audit) {
      const entry = cliEntryPoint();
      for (const until of [middle, null]) {
        progress.update('replay', until === null ? 0.5 : 0, 'passage audit verify');
        replay.push(
          await measureReplay({
            entry,
            natsUrl: stack.natsUrl,
            natsAccess: stack.natsAccess.auditor,
            tenant: stack.tenant,
            until,
          }),
        );
        throwIfStopped(stack);
      }
      progress.note(`replay: ${rate(replay[replay.length - 1]?.recordsPerSecond ?? 0)} records/s`);
    }

    const agentSeconds = cpuSeconds['agents'] ?? 0;
    const problems = [
      failedSignIns(signIns, 'main phase'),
      halfRate === null ? null : failedSignIns(halfRate, 'half-rate phase'),
    ].filter((problem): problem is string => problem !== null);
    const report: BenchReport = {
      ok: problems.length === 0,
      machine: { cpus: availableParallelism(), node: process.version, loadAverage },
      setup: {
        directory: stack.directory.description,
        concurrency: options.concurrency,
        users: stack.users.length,
        agents: options.agents,
        agentConcurrency: options.agentConcurrency,
        tenant: options.tenant,
        rate: options.rate,
      },
      signIns,
      ratioToRawBinds:
        rawBinds.perSecond > 0 ? Number((signIns.perSecond / rawBinds.perSecond).toFixed(3)) : 0,
      halfRate,
      rawBinds,
      jetstream,
      cpu: {
        seconds: Object.fromEntries(
          Object.entries(cpuSeconds).map(([name, seconds]) => [name, Number(seconds.toFixed(2))]),
        ),
        agentValidations: signIns.answered,
        agentValidationsPerCoreSecond:
          agentSeconds > 0 ? Math.round(signIns.answered / agentSeconds) : 0,
      },
      replay,
    };
    return { report, problems };
  } finally {
    api.close();
  }
};

/**
 * `passage bench`: starts the real stack (nats-server, a directory, `passage serve`, agents),
 * measures the directory's raw bind rate and JetStream's raw publish rate, drives full
 * sign-ins through the HTTP API at a concurrency for a duration (then at half the rate it
 * reached), replays the log it wrote, and reports. Exit 0 when every measured sign-in
 * signed in and the log verified; 1 otherwise (the report is still printed); 2 for a
 * usage error.
 */
export const runBench = async (
  args: readonly string[],
  io: CliIo,
  context: BenchContext,
): Promise<number> => {
  const options = parseBenchOptions(args, {
    env: context.env,
    cwd: process.cwd(),
    readFile: (path) => readFileSync(path, 'utf8'),
  });
  if (typeof options === 'string') return refuse(io, 'USAGE_ERROR', `bench: ${options}`);
  const progress = context.errIsTerminal
    ? createBenchProgress(io.err, context.now)
    : silentProgress;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'passage-bench-')));

  let stack: BenchStack | null = null;
  let outcome: { report: BenchReport; problems: string[] } | null = null;
  let failure: unknown = null;
  try {
    progress.note(
      `starting nats-server, ${options.directory.kind === 'slapd' ? `slapd (${options.directory.users} users)` : 'the agents’ directory'}, the service and ${options.agents} agent${options.agents === 1 ? '' : 's'} in ${dataDir}`,
    );
    stack = await startBenchStack(options, dataDir, context);
    outcome = await measure(options, stack, progress, context.now);
  } catch (error) {
    failure = asBenchError(error);
  }
  progress.done();
  const unclean = stack === null ? [] : await stack.stop();
  const failed = failure !== null || outcome === null || outcome.problems.length > 0;
  // A temporary data directory goes, unless something failed: then its logs say why.
  if (options.dataDir === null && !failed) await rm(dataDir, { recursive: true, force: true });

  if (failure !== null) {
    const code = codeOf(failure) ?? 'INTERNAL_ERROR';
    const kept = ` (logs in ${join(dataDir, 'logs')})`;
    io.err(
      `passage: bench: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}${kept} [${code}]\n`,
    );
    return EXIT_FAILURE;
  }
  if (outcome === null) return EXIT_FAILURE;
  const { report, problems } = outcome;
  io.out(options.json ? `${JSON.stringify(report)}\n` : formatBenchReport(report));
  for (const problem of problems) {
    io.err(`passage: bench: ${problem} (${join(dataDir, 'logs')}) [BENCH_SIGN_INS_FAILED]\n`);
  }
  if (unclean.length > 0) {
    io.err(
      `passage: bench: stopped, but not cleanly: ${unclean.join('; ')} [BENCH_STOP_UNCLEAN]\n`,
    );
    return EXIT_FAILURE;
  }
  return problems.length === 0 ? EXIT_OK : EXIT_FAILURE;
};
