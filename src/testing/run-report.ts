import { formatCoverage } from './coverage.js';
import type { SignInPathResult } from './path-result.js';
import type { SignInRunReport } from './run-sign-in-paths.js';

/** One line for a path's result (and a second with the reason when it did not pass). */
export const formatPathResult = (result: SignInPathResult): string => {
  const steps = result.path.description;
  switch (result.kind) {
    case 'passed': {
      const notes = result.notes.map((note) => `\n      note: ${note}`).join('');
      return `  passed        ${steps} (${result.durationMs} ms, attempt ${result.attemptId})${notes}`;
    }
    case 'failed': {
      const where =
        result.stepIndex === null ? result.step : `step ${result.stepIndex + 1} (${result.step})`;
      const driver = result.driverCode === undefined ? '' : `, driver code ${result.driverCode}`;
      return (
        `  FAILED        ${steps}\n` +
        `      at ${where}: expected ${result.expected}, saw ${result.seen} [${result.code}${driver}]` +
        `\n      ${result.message}${result.attemptId === null ? '' : ` (attempt ${result.attemptId})`}`
      );
    }
    case 'notDrivable':
      return (
        `  not drivable  ${steps}\n` +
        `      at step ${result.stepIndex + 1}: needs ${result.missing}: ${result.reason}`
      );
  }
};

/**
 * The whole run as text, for a test to print: every path with its result, the counts, and the
 * coverage the passed paths reached (on the records when there was an observer) next to what
 * the paths would cover.
 */
export const formatRunReport = (report: SignInRunReport): string => {
  const { coverage } = report;
  return [
    `model-based paths against ${report.driver}:`,
    ...report.results.map(formatPathResult),
    `${report.results.length} paths: ${report.passed.length} passed, ${report.failed.length} failed, ${report.notDrivable.length} not drivable`,
    formatCoverage(`covered (on the ${coverage.drivenMeasuredOn})`, coverage.driven),
    formatCoverage('the paths cover', coverage.planned),
    '',
  ].join('\n');
};
