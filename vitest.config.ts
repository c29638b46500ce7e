import { defineConfig } from 'vitest/config';

/**
 * Four groups, each with an npm script: `unit` (pure code and executable specs, fast,
 * parallel), `integration` (real processes and files, one module at a time where they share
 * fixed ports), `e2e` (the built `passage` command as a user runs it) and `faults` (processes
 * killed while sign-ins flow, on one server and on a three-node cluster). The faults run
 * last and one file at a time: each starts a dozen processes that time out when two cores
 * are shared with every other test file, which would make them test the machine's load.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'specs/**/*.spec.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts', 'test/support/directory-fixtures.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // Only when asked (`npm run record:histories`): it writes the fixture histories of a
      // newly released machine version, which `npm test` then replays for ever after.
      ...(process.env['PASSAGE_RECORD_HISTORIES'] === '1'
        ? [
            {
              test: {
                name: 'record-histories',
                include: ['test/fixtures/histories/record-histories.ts'],
              },
            },
          ]
        : []),
      // Only when asked (`npm run bench:samba`): passage bench against a Samba AD DC it
      // starts, prints its report; measures, asserts no speed (docs/performance.md).
      ...(process.env['PASSAGE_BENCH_SAMBA'] === '1'
        ? [
            {
              test: {
                name: 'bench-samba',
                include: ['test/bench/bench-on-samba.ts'],
                globalSetup: ['test/support/build-once.ts'],
              },
            },
          ]
        : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: ['test/e2e/faults/**'],
          globalSetup: ['test/support/build-once.ts', 'test/support/directory-fixtures.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/e2e/faults/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts', 'test/support/directory-fixtures.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
