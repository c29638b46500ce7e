import type { LoadPhaseResult } from './load-phase.js';
import type { RawBindsResult } from './raw-binds.js';
import type { RawPublishesResult } from './raw-publishes.js';
import type { ReplayRun } from './replay-rate.js';

/** Everything one `passage bench` measured; `--json` prints it as one object. */
export interface BenchReport {
  readonly ok: boolean;
  readonly machine: {
    readonly cpus: number;
    readonly node: string;
    /** The load average when the bench started: other work on the machine skews figures. */
    readonly loadAverage: number;
  };
  readonly setup: {
    readonly directory: string;
    readonly concurrency: number;
    readonly users: number;
    readonly agents: number;
    readonly agentConcurrency: number;
    readonly tenant: string;
    readonly rate: number | null;
  };
  /** The main phase: as fast as `concurrency` clients go (or at `--rate`). */
  readonly signIns: LoadPhaseResult;
  /** Sign-ins per second over raw binds per second. */
  readonly ratioToRawBinds: number;
  /** At half the main phase's rate; null when left out. */
  readonly halfRate: (LoadPhaseResult & { readonly targetPerSecond: number }) | null;
  readonly rawBinds: RawBindsResult;
  readonly jetstream: RawPublishesResult;
  /** The main phase's CPU seconds per process, and the agents' work per CPU second. */
  readonly cpu: {
    readonly seconds: Readonly<Record<string, number>>;
    readonly agentValidations: number;
    /** Validations per second of one core's time (validations / agent CPU seconds). */
    readonly agentValidationsPerCoreSecond: number;
  };
  /** `passage audit verify` over the log: the first half, then all of it. */
  readonly replay: readonly ReplayRun[];
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const ms = (value: number): string => `${value.toFixed(1)} ms`;

const latencyLine = (label: string, phase: LoadPhaseResult): string =>
  `  ${label.padEnd(22)} p50 ${ms(phase.passwordStepMs.p50)}, p95 ${ms(phase.passwordStepMs.p95)}, p99 ${ms(phase.passwordStepMs.p99)} (max ${ms(phase.passwordStepMs.max)})`;

const outcomesOf = (phase: LoadPhaseResult): string =>
  Object.entries(phase.outcomes)
    .sort(([, a], [, b]) => b - a)
    .map(([outcome, count]) => `${outcome} ${n(count)}`)
    .join(', ');

export const formatBenchReport = (report: BenchReport): string => {
  const { signIns, halfRate, rawBinds, jetstream, cpu, setup } = report;
  const lines = [
    `passage bench: ${setup.directory}, ${setup.concurrency} at once, ${setup.agents} agent${setup.agents === 1 ? '' : 's'} (concurrency ${setup.agentConcurrency}), ${report.machine.cpus} cores, load ${report.machine.loadAverage.toFixed(2)} at start`,
    '',
    `  sign-ins               ${n(signIns.perSecond)}/s (${n(signIns.completed)} in ${signIns.seconds.toFixed(1)} s${setup.rate === null ? '' : `, paced at ${n(setup.rate)}/s`}; failed ${n(signIns.failed)})`,
    `  raw binds              ${n(rawBinds.perSecond)}/s (ldapts, ${setup.concurrency} connections, same directory and users)`,
    `  ratio to raw binds     ${report.ratioToRawBinds.toFixed(2)}`,
    latencyLine('password step', signIns),
  ];
  if (halfRate !== null) {
    lines.push(
      `${latencyLine(`at half rate (${n(halfRate.targetPerSecond)}/s)`, halfRate)}; ${n(halfRate.perSecond)}/s kept`,
    );
  }
  lines.push(
    `  agent                  ${n(cpu.agentValidationsPerCoreSecond)} validations/s per core (${n(cpu.agentValidations)} in ${(cpu.seconds['agents'] ?? 0).toFixed(1)} CPU s)`,
    `  JetStream publishes    ${n(jetstream.perSecond)}/s pipelined (window ${jetstream.window}), ${n(jetstream.sequentialPerSecond)}/s one at a time, ${jetstream.messageBytes} bytes`,
  );
  for (const run of report.replay) {
    lines.push(
      `  replay ${(run.until === null ? '(whole log)' : '(first half)').padEnd(15)} ${n(run.recordsPerSecond)} records/s (${n(run.records)} records, ${n(run.attempts)} attempts, ${run.workers} workers), peak RSS ${run.peakRssMiB.toFixed(0)} MiB`,
    );
  }
  lines.push(
    `  CPU during sign-ins    ${Object.entries(cpu.seconds)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
      .join(', ')} (of ${(signIns.seconds * report.machine.cpus).toFixed(1)} core-seconds)`,
    `  outcomes               ${outcomesOf(signIns)}`,
    '',
  );
  return `${lines.join('\n')}\n`;
};
